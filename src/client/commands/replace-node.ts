import type { Command } from 'commander';
import { loadSiteSpecFile } from '../../site/load';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { replaceProblem } from '../../workflows/replace-node-input';
import { startReplaceNode } from '../replace-node';
import { refreshDoctorSchedule } from '../doctor';
import { watchInstall } from '../watch';
import { clientFor, globals } from './common';

export function registerReplaceNode(program: Command): void {
  program.command('replace-node')
    .argument('<site.yaml>', 'the site spec, listing the new machine in the dead node\'s place')
    .requiredOption('--node <old>', 'the node that is gone for good (no longer in nodes[])')
    .requiredOption('--with <new>', 'the new machine (in nodes[] where the old one was, so it takes its role)')
    .description('replace a dead node: remove it from Kubernetes and the datastore, prepare and join the new machine in its role, ' +
      'move its cStor pool to the new machine and each volume replica it held (rebuilt there), wait until every node is Ready, the voters complete and the chart healthy (workflow replace-node/<site>/<old>)')
    .addHelpText('after', '\nExample (k8s-vm-2 died; k8s-vm-5 now stands in its place in nodes[]):\n  $ kloudspot-installer replace-node site.yaml --node k8s-vm-2 --with k8s-vm-5')
    .action(async (file: string, o: { node: string; with: string }, cmd: Command) => {
      const spec = loadSiteSpecFile(file);
      // Judged before connecting: a spec that still names the dead node needs no server to be refused.
      const problem = replaceProblem(spec, o.node, o.with);
      if (problem) throw new UserError(`${file}: ${problem}.`, EXIT_BAD_INPUT);
      const client = await clientFor(cmd);
      const handle = await startReplaceNode(client, spec, o.node, o.with, file);
      process.stdout.write(`Started ${handle.workflowId}\n`);
      const r = await watchInstall(client, spec.site, { workflowId: handle.workflowId, uiUrl: globals(cmd).uiUrl });
      if (!r.ok) { process.exitCode = EXIT_FAILED; return; }
      // A doctor Schedule made before holds the old members: its runs would look at the dead node.
      if (await refreshDoctorSchedule(client, spec.site)) process.stdout.write(`Schedule doctor/${spec.site} now checks ${o.with} instead of ${o.node}\n`);
    });
}
