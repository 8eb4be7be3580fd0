import type { Command } from 'commander';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadSiteSpecFile } from '../../site/load';
import { terminalSafe } from '../../safe-text';
import * as api from '../../workflows/api';
import { EXIT_FAILED } from '../errors';
import { confirmReset, startInstall } from '../installs';
import { watchInstall } from '../watch';
import { clientFor, globals } from './common';

/** The reset's one question, once its survey has read every node; undefined when the run ended first. */
async function waitForResetQuestion(handle: WorkflowHandle): Promise<api.Question | undefined> {
  for (;;) {
    const s = await handle.query(api.statusQuery).catch(() => undefined);
    const q = s?.questions.find((x) => x.kind === 'confirmReset');
    if (q) return q;
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function runReset(client: Client, cmd: Command, file: string, yes: boolean): Promise<void> {
  const spec = loadSiteSpecFile(file);
  const handle = await startInstall(client, spec, 'resetSite');
  process.stdout.write(`Started ${handle.workflowId}: reading every node (nothing is removed before the answer)\n`);
  const q = await waitForResetQuestion(handle);
  if (q) {
    process.stdout.write(terminalSafe(`\n${q.prompt}\n\n${q.lastError ?? ''}\n\n`));
    if (yes) process.stdout.write(`--yes: ${await confirmReset(client, spec.site, { answer: 'confirm' })}\n`);
    else process.stdout.write(`Answer with \`kloudspot-installer confirm-reset ${spec.site}\` (or --abort), or confirmReset in the Web UI.\n`);
  }
  const r = await watchInstall(client, spec.site, { workflowId: handle.workflowId, uiUrl: globals(cmd).uiUrl });
  if (!r.ok) process.exitCode = EXIT_FAILED;
}

export function registerReset(program: Command): void {
  program.command('reset')
    .argument('<site.yaml>', 'the site spec the nodes were installed with')
    .option('--yes', 'answer the reset question "confirm" as soon as it lists what will be removed')
    .description('take an installed site back to bare nodes, in reverse order (workflow reset/<site>): kloudspot stop, the cStor pool, ' +
      'OpenEBS, workers then managers leave, snap remove microk8s, the kloudspot CLI, the shared LV, iscsid, our /etc/hosts block and ' +
      'netplan file (the files it changed put back as before the install: back to DHCP). It first lists what it will remove on which node and waits for one answer; refused while an ' +
      'install, update, add-node or refresh-certs of the site runs')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer reset site.yaml            (lists, then waits for confirm-reset or the Web UI)\n' +
      '  $ kloudspot-installer reset site.yaml --yes      (lists, confirms and removes)\n' +
      '  $ kloudspot-installer confirm-reset acme-hq      (answer from another shell; --abort removes nothing)')
    .action(async (file: string, o: { yes?: boolean }, cmd: Command) => runReset(await clientFor(cmd), cmd, file, !!o.yes));

  program.command('confirm-reset')
    .argument('<site>', 'the site name')
    .option('--abort', 'answer abort: the reset ends and removes nothing')
    .description('answer a running reset\'s question: confirm removes what it listed, --abort removes nothing')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer confirm-reset acme-hq\n  $ kloudspot-installer confirm-reset acme-hq --abort')
    .action(async (site: string, o: { abort?: boolean }, cmd: Command) => {
      process.stdout.write(await confirmReset(await clientFor(cmd), site, { answer: o.abort ? 'abort' : 'confirm' }) + '\n');
    });
}
