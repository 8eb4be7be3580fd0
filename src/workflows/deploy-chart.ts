// Phase 5, deploy-chart: the values file, the TLS certificate (uploaded by a person or self-signed by
// choice), `kloudspot start`, then wait until every pod is Ready.
import { steps } from './activities';
import { SKIPPED, step } from './steps';
import { firstManager, targetOf, type SiteContext } from './site-context';
import type { CertificateAnswer } from './questions';

export function valuesInput(ctx: SiteContext, tls: 'uploaded' | 'self-signed') {
  const { spec } = ctx;
  return {
    site: spec.site, customer: spec.customer, dnsHostname: spec.dnsHostname, virtualIp: spec.virtualIp,
    features: spec.features, storage: spec.storage, volumeGroup: spec.lvm.volumeGroup, tls,
  };
}

export async function deployChart(ctx: SiteContext): Promise<void> {
  const { ctl, spec, timeouts } = ctx;
  ctl.setPhase('deploy-chart');
  const first = firstManager(ctx);
  const t = targetOf(ctx, first);

  let answer: CertificateAnswer | undefined;
  let tls: 'uploaded' | 'self-signed' = 'self-signed';
  if (spec.tls.mode === 'upload') {
    const present = await step(ctl, first.name, 'tls-check', (a) => a.steps.tlsSecretPresent(t));
    if (present === true) {
      tls = 'uploaded';
      ctl.certificateNotNeeded();
    } else {
      ctl.setNode(first.name, 'tls-certificate', 'waiting');
      answer = await ctl.askCertificate(spec.dnsHostname, async (u) => {
        const r = await steps.checkCertificate(u.certificatePem, u.privateKeyPem, spec.dnsHostname);
        return r.ok ? undefined : r.reason;
      });
      tls = answer.kind === 'upload' ? 'uploaded' : 'self-signed';
    }
  } else {
    ctl.certificateNotNeeded();
  }

  await step(ctl, first.name, 'values-file', (a) => a.steps.writeValuesFile(t, valuesInput(ctx, tls)));
  if (answer?.kind === 'upload') {
    const { certificatePem, privateKeyPem } = answer.upload;
    await step(ctl, first.name, 'tls-secret', (a) => a.steps.installTlsSecret(t, certificatePem, privateKeyPem));
  }
  await step(ctl, first.name, 'chart-start', (a) => a.steps.startChart(t));
  const ready = await step(ctl, first.name, 'chart-ready', (a) => a.waits(timeouts.chartReady).waitChartReady(t, timeouts.chartReady));
  if (ready !== SKIPPED) ctl.setSummary('chart', `release kloudspot deployed (revision ${ready.revision ?? '?'}), ${ready.pods} pods ready, TLS ${tls}`);
}
