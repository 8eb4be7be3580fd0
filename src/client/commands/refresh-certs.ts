import type { Command } from 'commander';
import { renderRefreshCerts, startRefreshCerts } from '../refresh-certs';
import type { RefreshCertsResult } from '../../workflows/api';
import { clientFor } from './common';

export function registerRefreshCerts(program: Command): void {
  program.command('refresh-certs')
    .argument('<site>', 'the site name of an installed site')
    .option('--json', 'print the result as JSON')
    .description('renew MicroK8s\' server and front-proxy certificates one manager at a time, waiting for Ready and every datastore voter after each (workflow refresh-certs/<site>)')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer refresh-certs acme-hq\n  $ kloudspot-installer doctor acme-hq     (the certificates check, before and after)')
    .action(async (site: string, opts: { json?: boolean }, cmd: Command) => {
      const handle = await startRefreshCerts(await clientFor(cmd), site);
      process.stdout.write(`Started ${handle.workflowId}: one manager at a time.\n`);
      const r = await handle.result() as RefreshCertsResult;
      process.stdout.write(opts.json ? JSON.stringify(r, null, 2) + '\n' : renderRefreshCerts(r) + '\n');
    });
}
