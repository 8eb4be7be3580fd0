// deploy-chart steps: values file, TLS secret, `kloudspot start|update|stop`, waiting for healthy pods.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createClusterChecks } from './checks/cluster';
import * as c from './commands/chart';
import { writeFile } from './commands/files';
import { kubectlWait } from './commands/kubectl';
import * as tools from './commands/tools';
import { failure, FailureType } from './failures';
import { commandFailed, run, waitFor, type ActivityDeps } from './run';
import type { StepResult } from './node-prep';
import type { SshTarget } from './ssh';

export interface CertificateCheck { ok: boolean; reason?: string; subject?: string; validTo?: string }

/** Certificate and key parse, match each other, and the certificate covers the host name. Pure: no node touched. */
export function checkCertificatePair(certificatePem: string, privateKeyPem: string, dnsHostname: string, now = new Date()): CertificateCheck {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    return { ok: false, reason: 'certificatePem is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)' };
  }
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    return { ok: false, reason: 'privateKeyPem is not a PEM private key (expected -----BEGIN PRIVATE KEY----- or RSA/EC PRIVATE KEY), or it is encrypted' };
  }
  if (!cert.checkPrivateKey(key)) return { ok: false, reason: 'the private key does not match the certificate\'s public key' };
  if (!cert.checkHost(dnsHostname)) {
    return { ok: false, reason: `the certificate does not cover ${dnsHostname} (subject ${cert.subject.replace(/\n/g, ', ')}; names ${cert.subjectAltName ?? 'none'})` };
  }
  if (new Date(cert.validTo) < now) return { ok: false, reason: `the certificate expired on ${cert.validTo}` };
  if (new Date(cert.validFrom) > now) return { ok: false, reason: `the certificate is not valid before ${cert.validFrom}` };
  return { ok: true, subject: cert.subject.replace(/\n/g, ', '), validTo: cert.validTo };
}

export function createChartActivities(deps: ActivityDeps) {
  // The "already done?" half of each step: the same functions plan runs alone.
  const checks = createClusterChecks(deps);
  const helm = (first: SshTarget) => checks.release(first);

  return {
    async checkCertificate(certificatePem: string, privateKeyPem: string, dnsHostname: string): Promise<CertificateCheck> {
      return checkCertificatePair(certificatePem, privateKeyPem, dnsHostname);
    },

    async writeValuesFile(first: SshTarget, values: c.ChartValuesInput): Promise<StepResult> {
      const check = await checks.valuesFile(first, values);
      if (check.done) return { changed: false };
      await run(deps, first, writeFile(c.VALUES_FILE, check.content, '0644'));
      return { changed: true };
    },

    async tlsSecretPresent(first: SshTarget): Promise<boolean> {
      return (await checks.tlsSecret(first)).done;
    },

    /** The pair travels on stdin straight into `kubectl apply`: the key is never written to the node's disk. */
    async installTlsSecret(first: SshTarget, certificatePem: string, privateKeyPem: string): Promise<StepResult> {
      // A retry after the Secret was created does not send the key again.
      if ((await checks.tlsSecret(first)).done) return { changed: false };
      const r = await run(deps, first, c.applyTlsSecretManifest(certificatePem, privateKeyPem));
      return { changed: !/ unchanged$/m.test(r.stdout) };
    },

    async startChart(first: SshTarget): Promise<StepResult> {
      const h = await helm(first);
      if (h.exists && h.status === 'deployed') return { changed: false, detail: `revision ${h.revision}` };
      if (h.exists && h.status !== 'deployed') {
        throw failure(FailureType.ReleaseNotDeployed, `release ${c.RELEASE} exists with status ${h.status}: inspect it with \`microk8s helm3 status ${c.RELEASE}\`, fix or \`kloudspot stop\`, then retry`, { nonRetryable: true });
      }
      await run(deps, first, tools.kloudspotStart(), { timeoutMs: 30 * 60_000 });
      return { changed: true };
    },

    async updateChart(first: SshTarget): Promise<StepResult> {
      const before = await helm(first);
      if (!before.exists) throw failure(FailureType.ReleaseMissing, `release ${c.RELEASE} is not installed: run an install first`, { nonRetryable: true });
      await run(deps, first, tools.kloudspotUpdate(), { timeoutMs: 30 * 60_000 });
      return { changed: true, detail: `revision ${before.revision} -> ${(await helm(first)).revision}` };
    },

    async stopChart(first: SshTarget): Promise<StepResult> {
      if (!(await helm(first)).exists) return { changed: false, detail: 'not installed' };
      const r = await run(deps, first, tools.kloudspotStop(), { timeoutMs: 30 * 60_000 });
      if ((await helm(first)).exists) throw commandFailed(first, r, 'the release is still there');
      return { changed: true };
    },

    async waitChartReady(first: SshTarget, timeoutMs: number): Promise<{ pods: number; revision?: number }> {
      return waitFor<{ pods: number; revision?: number }>(deps, `release ${c.RELEASE} deployed and every pod Ready`, timeoutMs, async () => {
        const h = await helm(first);
        if (!h.exists || h.status !== 'deployed') return { seen: h.exists ? `release status ${h.status}` : 'release not found' };
        // Finished pods (Succeeded Jobs, Failed: evicted or a failed Job attempt) are not judged: see podsReady.
        const pods = c.parsePods((await run(deps, first, c.listPods())).stdout).filter((p) => !p.finished);
        const notReady = pods.filter((p) => !p.ready);
        if (pods.length > 0 && notReady.length === 0) return { done: { pods: pods.length, revision: h.revision } };
        return { seen: pods.length === 0 ? 'no pods yet' : `${notReady.length}/${pods.length} pods not ready: ${notReady.slice(0, 5).map((p) => `${p.name} ${p.reason ?? p.phase}`).join(', ')}` };
      }, { target: first, command: (t) => kubectlWait(c.podsReady, t) });
    },

    async waitChartGone(first: SshTarget, timeoutMs: number): Promise<StepResult> {
      await waitFor(deps, 'the chart\'s pods to go', timeoutMs, async () => {
        const pods = c.parsePods((await run(deps, first, c.listPods())).stdout);
        return pods.length === 0 ? { done: true } : { seen: `${pods.length} pods left` };
      });
      return { changed: false };
    },
  };
}
