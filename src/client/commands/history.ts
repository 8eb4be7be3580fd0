import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Worker } from '@temporalio/worker';
import { installerBundle } from '../../worker/worker';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { exportHistory } from '../installs';
import { installWorkflowId } from '../../workflows/api';
import { clientFor, dataConverterFor } from './common';

export function registerHistory(program: Command): void {
  program.command('history')
    .argument('<site>', 'the site name (or a full workflow id with --workflow-id)')
    .requiredOption('-o, --output <file.json>', 'where to write the history JSON')
    .option('--workflow-id <id>', 'export this workflow instead of install/<site>')
    .description('export an install\'s event history (replay it with `replay` before deploying a new worker)')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer history acme-hq -o acme-hq.json')
    .action(async (site: string, o: { output: string; workflowId?: string }, cmd: Command) => {
      const json = await exportHistory(await clientFor(cmd), o.workflowId ?? installWorkflowId(site));
      writeFileSync(o.output, json);
      process.stdout.write(`Wrote ${o.output} (${JSON.parse(json).events?.length ?? 0} events)\n`);
    });

  program.command('replay')
    .argument('<files...>', 'history JSON files (from `history`, the Web UI or `temporal workflow show -o json`)')
    .description('replay histories against this version of the workflow code: is it safe to deploy?')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer replay histories/*.json')
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const bundle = await installerBundle();
      const dataConverter = dataConverterFor(cmd);
      let failed = 0;
      for (const file of files) {
        let history: unknown;
        try {
          history = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          throw new UserError(`${file}: not a readable history JSON file (${(err as Error).message}).`, EXIT_BAD_INPUT);
        }
        try {
          await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file, dataConverter }, history as never);
          process.stdout.write(`compatible    ${file}\n`);
        } catch (err) {
          failed++;
          process.stdout.write(`INCOMPATIBLE  ${file}: ${(err as Error).message.split('\n')[0]}\n`);
        }
      }
      if (failed) throw new UserError(`${failed} of ${files.length} histories do not replay: do not deploy this worker while such runs are open.`, EXIT_FAILED);
    });
}
