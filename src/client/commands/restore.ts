import type { Command } from 'commander';
import { loadSiteSpecFile } from '../../site/load';
import { EXIT_FAILED } from '../errors';
import { checkBackupDir, startRestore } from '../restore';
import { watchInstall } from '../watch';
import { clientFor, globals } from './common';

export function registerRestore(program: Command): void {
  program.command('restore')
    .argument('<backup-dir>', 'one backup on the worker\'s machine, as `backup` printed it: <backup dir>/<site>/<time>')
    .argument('<site.yaml>', 'the site spec: the backup\'s site, the same node names in the same roles, on fresh machines')
    .description('rebuild a site from a backup on fresh nodes (workflow restore/<site>): preflight, prepare-nodes, form-cluster and ' +
      'configure-storage as an install, then microk8s dbctl restore on the first manager, the backup\'s values.yaml, and the restored chart release\'s pods Ready')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ kloudspot-installer backup acme-hq -o /srv/backups',
      '  $ kloudspot-installer restore /srv/backups/acme-hq/2026-12-02T19-30-00Z site.yaml',
      '  $ kloudspot-installer resolve acme-hq --step k8s-vm-1:restore-datastore --action retry --workflow restore/acme-hq',
    ].join('\n'))
    .action(async (dir: string, file: string, _o: unknown, cmd: Command) => {
      const backup = checkBackupDir(dir);
      const spec = loadSiteSpecFile(file);
      const client = await clientFor(cmd);
      const handle = await startRestore(client, spec, backup);
      process.stdout.write(`Started ${handle.workflowId}: ${spec.nodes.length} nodes from ${backup}.\n`);
      const r = await watchInstall(client, spec.site, { workflowId: handle.workflowId, uiUrl: globals(cmd).uiUrl });
      if (!r.ok) process.exitCode = EXIT_FAILED;
    });
}
