// restore(input), workflow id restore/<site>: a site rebuilt from a backup (issue 21) on fresh nodes. The backup must
// be of this site with the same nodes in the same roles; then the install's own phases (preflight, prepare-nodes,
// form-cluster, configure-storage) make the cluster, `microk8s dbctl restore` on the first manager puts the
// datastore back (the chart's release and objects with it), the backup's values file goes in place, and the run
// waits until the release's pods are Ready. Every step checks first, so a re-run (or a retry) changes nothing.
import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import type { InstallStatus, RestoreInput } from './api';
import { configureStorage } from './configure-storage';
import { formCluster } from './form-cluster';
import type { Phase } from './phase';
import { preflightPhase } from './preflight';
import { prepareNodes } from './prepare-nodes';
import { firstManager, runStep, targetOf } from './site-context';
import { openSite, runSite } from './site-run';
import { defineStep, SKIPPED } from './steps';

const READ_BACKUP = defineStep({ id: 'read-backup', title: 'the backup: manifest, digests, site and node roles', plan: { notInInstall: 'the restore workflow' } });
const RESTORE_DATASTORE = defineStep({ id: 'restore-datastore', title: 'microk8s dbctl restore of the backup\'s datastore', plan: { notInInstall: 'the restore workflow' } });
const RESTORE_VALUES = defineStep({ id: 'restore-values', title: 'the backup\'s /etc/kloudspot/values.yaml', plan: { notInInstall: 'the restore workflow' } });
const CHART_READY = defineStep({ id: 'restored-chart-ready', title: 'wait until every pod of the restored release is Ready', plan: { notInInstall: 'the restore workflow' } });
const CLUSTER_MEMBERS = defineStep({ id: 'restore-rerun-members', title: 'nodes already in the cluster (kubectl get nodes): a re-run', plan: { notInInstall: 'the restore workflow' } });

export async function restore(input: RestoreInput): Promise<InstallStatus> {
  const ctx = openSite(input.spec);
  const seen = { rerun: false };
  return runSite(ctx, [backupMatches(input.backup, seen), preflightOf(seen), prepareNodes, formCluster, configureStorage, restoreFromBackup(input.backup)]);
}

/**
 * On fresh nodes the virtual IP answering is a conflict (the old site may still be up); on a re-run, with every
 * node already in the restored cluster, it is MetalLB's own address.
 */
function preflightOf(seen: { rerun: boolean }): Phase {
  const fresh = preflightPhase();
  return { ...fresh, run: (ctx, hosts) => (seen.rerun ? preflightPhase({ virtualIpInUse: true }) : fresh).run(ctx, hosts) };
}

const refuse = (message: string) => ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message });

/** The backup is this site's, with every backed-up node in the spec in the same role (and no other node). */
function backupMatches(dir: string, seen: { rerun: boolean }): Phase {
  return {
    name: 'preflight',
    title: `the backup ${dir} is of this site, with the same nodes in the same roles`,
    hosts: (ctx) => [firstManager(ctx)],
    async run(ctx, [first]) {
      const b = await runStep(ctx, first.name, READ_BACKUP, (a) => a.steps.describeBackup(dir));
      if (b === SKIPPED) throw refuse(`${dir}: the backup could not be read, and a restore needs it`);
      if (b.site !== ctx.spec.site) throw refuse(`${dir} is a backup of site "${b.site}", not "${ctx.spec.site}": give that site's spec, or a backup of this one`);
      const want = b.nodes.map((n) => `${n.name} (${n.role})`).sort();
      const have = ctx.nodes.map((n) => `${n.name} (${n.role})`).sort();
      if (want.join() !== have.join()) {
        throw refuse(`the spec's nodes ${have.join(', ')} differ from the backup's ${want.join(', ')}: ` +
          'a restore rebuilds the same nodes in the same roles (addresses may change); fix nodes[] in the spec');
      }
      ctx.board.setSummary('backup', `${dir}: taken ${b.takenAt}, ${b.keys} datastore keys` + (b.release ? `, chart release revision ${b.release}` : ''));
      const members = await runStep(ctx, first.name, CLUSTER_MEMBERS, (a) => a.steps.clusterMembers(targetOf(ctx, first), ctx.nodes.map((n) => n.name)));
      seen.rerun = members !== SKIPPED && members.length === ctx.nodes.length;
    },
  };
}

function restoreFromBackup(dir: string): Phase {
  return {
    name: 'restore',
    title: 'microk8s dbctl restore on the first manager, the backup\'s values file, the restored release\'s pods Ready',
    hosts: (ctx) => [firstManager(ctx)],
    async run(ctx, [first]) {
      const t = targetOf(ctx, first);
      await runStep(ctx, first.name, RESTORE_DATASTORE, (a) => a.steps.restoreDatastore(t, dir));
      await runStep(ctx, first.name, RESTORE_VALUES, (a) => a.steps.restoreValuesFile(t, dir));
      const ready = await runStep(ctx, first.name, CHART_READY, (a) => a.waits(ctx.timeouts.chartReady).waitChartReady(t, ctx.timeouts.chartReady));
      if (ready !== SKIPPED) ctx.board.setSummary('chart', `release kloudspot restored (revision ${ready.revision ?? '?'}), ${ready.pods} pods ready`);
    },
  };
}
