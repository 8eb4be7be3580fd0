// Phase 5, deploy-chart: the values file, the TLS certificate (uploaded by a person or self-signed by
// choice), `kloudspot start`, then wait until every pod is Ready.
import type { SiteSpec } from '../site/schema';
import { steps } from './activities';
import type { CertificateAnswer } from './answers';
import type { Phase } from './phase';
import { firstManager, runStep, targetOf, type SiteContext } from './site-context';
import { defineStep, SKIPPED } from './steps';

const TLS_CHECK = defineStep({ id: 'tls-check', title: 'TLS secret present?' });
const TLS_SECRET = defineStep({ id: 'tls-secret', title: 'create the TLS secret', plan: { partOf: 'tls-check' } });
const VALUES_FILE = defineStep({ id: 'values-file', title: 'write /etc/kloudspot/values.yaml' });
const KLOUDSPOT_INIT = defineStep({ id: 'kloudspot-init', title: 'kloudspot init, its prompts answered from the spec', plan: { partOf: 'values-file' } });
const CHART_START = defineStep({ id: 'chart-start', title: 'kloudspot start' });
const CHART_UPDATE = defineStep({ id: 'chart-update', title: 'kloudspot update --update-helm', plan: { notInInstall: 'the update workflow' } });
const CHART_STOP = defineStep({ id: 'chart-stop', title: 'kloudspot stop', plan: { notInInstall: 'the uninstall workflow' } });
const CHART_READY = defineStep({ id: 'chart-ready', title: 'wait until every pod is Ready', plan: { partOf: 'chart-start' } });
const CHART_GONE = defineStep({ id: 'chart-gone', title: 'wait until the pods are gone', plan: { notInInstall: 'the uninstall workflow' } });

export const CHART_STEPS = { TLS_CHECK, VALUES_FILE, CHART_START };

/** Cluster-wide commands run on the first manager. */
const onFirstManager = (ctx: SiteContext) => [firstManager(ctx)];

export function valuesInput(ctx: SiteContext, tls: 'uploaded' | 'self-signed') {
  const { spec } = ctx;
  return {
    site: spec.site, customer: spec.customer, dnsHostname: spec.dnsHostname, virtualIp: spec.virtualIp,
    features: spec.features, storage: spec.storage, volumeGroup: spec.lvm.volumeGroup, tls,
    // Specs recorded before `chart` existed have none: the values file as it was then.
    storageClasses: (spec.chart as SiteSpec['chart'] | undefined)?.storageClasses, extraValues: (spec.chart as SiteSpec['chart'] | undefined)?.values,
  };
}

/** deploy.mode (specs recorded before it existed: values). */
const deployMode = (spec: SiteSpec) => (spec.deploy as SiteSpec['deploy'] | undefined)?.mode ?? 'values';

/** The answers `kloudspot init` gets from the spec (the block devices are read from the pool on the node). */
export function initInput(spec: SiteSpec) {
  return { dnsHostname: spec.dnsHostname, customer: spec.customer, features: spec.features, storage: spec.storage };
}

/** The values file: written by the installer from the spec, or by `kloudspot init` (deploy.mode). */
async function valuesStep(ctx: SiteContext, first: SiteContext['nodes'][number], tls: 'uploaded' | 'self-signed'): Promise<void> {
  const t = targetOf(ctx, first);
  if (deployMode(ctx.spec) === 'kloudspot-init') await runStep(ctx, first.name, KLOUDSPOT_INIT, (a) => a.steps.runKloudspotInit(t, initInput(ctx.spec)));
  else await runStep(ctx, first.name, VALUES_FILE, (a) => a.steps.writeValuesFile(t, valuesInput(ctx, tls)));
}

export const deployChart: Phase = {
  name: 'deploy-chart',
  title: 'values file, TLS certificate (uploaded or self-signed), kloudspot start, every pod Ready',
  hosts: onFirstManager,
  run: (ctx) => startChart(ctx),
};

async function startChart(ctx: SiteContext): Promise<void> {
  const { spec, timeouts } = ctx;
  const first = firstManager(ctx);
  const t = targetOf(ctx, first);

  let answer: CertificateAnswer | undefined;
  let tls: 'uploaded' | 'self-signed' = 'self-signed';
  if (spec.tls.mode === 'upload') {
    const present = await runStep(ctx, first.name, TLS_CHECK, (a) => a.steps.tlsSecretPresent(t));
    if (present === true) {
      tls = 'uploaded';
      ctx.questions.certificateNotNeeded();
    } else {
      ctx.board.setNode(first.name, 'tls-certificate', 'waiting');
      answer = await ctx.questions.askCertificate(spec.dnsHostname, async (u) => {
        const r = await steps.checkCertificate(u.certificatePem, u.privateKeyPem, spec.dnsHostname);
        return r.ok ? undefined : r.reason;
      });
      tls = answer.kind === 'upload' ? 'uploaded' : 'self-signed';
    }
  } else {
    ctx.questions.certificateNotNeeded();
  }

  await valuesStep(ctx, first, tls);
  if (answer?.kind === 'upload') {
    const { certificatePem, privateKeyPem } = answer.upload;
    await runStep(ctx, first.name, TLS_SECRET, (a) => a.steps.installTlsSecret(t, certificatePem, privateKeyPem));
  }
  await runStep(ctx, first.name, CHART_START, (a) => a.steps.startChart(t));
  const ready = await runStep(ctx, first.name, CHART_READY, (a) => a.waits(timeouts.chartReady).waitChartReady(t, timeouts.chartReady));
  if (ready !== SKIPPED) ctx.board.setSummary('chart', `release kloudspot deployed (revision ${ready.revision ?? '?'}), ${ready.pods} pods ready, TLS ${tls}`);
}

/** update: the values file from the spec again (or `kloudspot init` again if it differs), then `kloudspot update --update-helm`, until every pod is Ready. */
export const updateChart: Phase = {
  name: 'deploy-chart',
  title: 'values file, kloudspot update --update-helm, every pod Ready',
  hosts: onFirstManager,
  async run(ctx, [first]) {
    const t = targetOf(ctx, first);
    const tls = (await runStep(ctx, first.name, TLS_CHECK, (a) => a.steps.tlsSecretPresent(t))) === true ? 'uploaded' : 'self-signed';
    await valuesStep(ctx, first, tls);
    await runStep(ctx, first.name, CHART_UPDATE, (a) => a.steps.updateChart(t));
    await runStep(ctx, first.name, CHART_READY, (a) => a.waits(ctx.timeouts.chartReady).waitChartReady(t, ctx.timeouts.chartReady));
  },
};

/** uninstall: `kloudspot stop`, until the chart's pods are gone. The cluster stays. */
export const removeChart: Phase = {
  name: 'deploy-chart',
  title: 'kloudspot stop, until the pods are gone',
  hosts: onFirstManager,
  async run(ctx, [first]) {
    const t = targetOf(ctx, first);
    await runStep(ctx, first.name, CHART_STOP, (a) => a.steps.stopChart(t));
    await runStep(ctx, first.name, CHART_GONE, (a) => a.waits(ctx.timeouts.chartReady).waitChartGone(t, ctx.timeouts.chartReady));
  },
};
