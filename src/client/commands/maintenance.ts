import type { Command } from 'commander';
import { loadSiteSpecFile } from '../../site/load';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { startInstall } from '../installs';
import { watchInstall } from '../watch';
import { clientFor, globals } from './common';

type Op = 'updateDeployment' | 'uninstall' | 'addNode';

async function runOp(cmd: Command, file: string, op: Op, node?: string): Promise<void> {
  const spec = loadSiteSpecFile(file);
  if (op === 'addNode' && !spec.nodes.some((n) => n.name === node)) {
    throw new UserError(`Node ${node} is not in ${file}: add it to nodes[] (name, address, interface) first, then run add-node again.`, EXIT_BAD_INPUT);
  }
  const client = await clientFor(cmd);
  const handle = await startInstall(client, spec, op, op === 'addNode' ? [spec, node] : [spec]);
  process.stdout.write(`Started ${handle.workflowId}\n`);
  const r = await watchInstall(client, spec.site, { workflowId: handle.workflowId, uiUrl: globals(cmd).uiUrl });
  if (!r.ok) process.exitCode = EXIT_FAILED;
}

export function registerMaintenance(program: Command): void {
  program.command('update')
    .argument('<site.yaml>', 'the site spec, with the changed settings')
    .description('rewrite the values file from the spec and run `kloudspot update --update-helm`, then wait until healthy')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer update site.yaml')
    .action((file: string, _o: unknown, cmd: Command) => runOp(cmd, file, 'updateDeployment'));

  program.command('add-node')
    .argument('<site.yaml>', 'the site spec, already listing the new node')
    .requiredOption('--node <name>', 'the new node (joins as a worker)')
    .description('prepare a new node, add it to every /etc/hosts and join it to the cluster as a worker')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer add-node site.yaml --node k8s-vm-4')
    .action((file: string, o: { node: string }, cmd: Command) => runOp(cmd, file, 'addNode', o.node));

  program.command('uninstall')
    .argument('<site.yaml>', 'the site spec')
    .description('remove the Kloudspot deployment (`kloudspot stop`); the cluster and nodes stay as they are')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer uninstall site.yaml')
    .action((file: string, _o: unknown, cmd: Command) => runOp(cmd, file, 'uninstall'));
}
