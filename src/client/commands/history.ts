import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
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
      const workflowId = o.workflowId ?? installWorkflowId(site);
      const client = await clientFor(cmd);
      let json: string;
      try {
        json = await exportHistory(client, workflowId);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || /NOT_FOUND|not found/i.test((err as Error).message)) {
          throw new UserError(`No install of site "${site}" (workflow ${workflowId}) on this server: check the name with \`kloudspot-installer list\`.`, EXIT_FAILED);
        }
        throw err;
      }
      try {
        // A new file only, 0600: a history holds node output and answers; never follow a planted symlink or overwrite.
        writeFileSync(o.output, json, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UserError(`${o.output} already exists: give a new file name (history never overwrites a file or follows a link).`, EXIT_BAD_INPUT);
        throw new UserError(`Cannot write ${o.output}: ${code ?? (err as Error).message}. Give a path in an existing, writable directory.`, EXIT_BAD_INPUT);
      }
      process.stdout.write(`Wrote ${o.output} (${JSON.parse(json).events?.length ?? 0} events)\n`);
    });

  program.command('replay')
    .argument('<files...>', 'history JSON files (from `history`, the Web UI or `temporal workflow show -o json`)')
    .description('replay histories against this version of the workflow code: is it safe to deploy?')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer replay histories/*.json')
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const dataConverter = dataConverterFor(cmd);
      // Every file is read and checked before the (slow) bundling, so a wrong path or file is reported at once.
      const histories = files.map((file) => {
        let history: ReturnType<typeof historyFromJSON>;
        try {
          history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
        } catch (err) {
          throw new UserError(`${file}: not a readable history JSON file (${(err as Error).message}).`, EXIT_BAD_INPUT);
        }
        if (!history.events?.[0]?.workflowExecutionStartedEventAttributes) {
          throw new UserError(`${file}: not a workflow history (its first event must be WorkflowExecutionStarted); export one with \`kloudspot-installer history <site> -o file.json\`.`, EXIT_BAD_INPUT);
        }
        return { file, history };
      });
      // Loaded here, not at CLI start: the worker costs a second of start-up for every command.
      const { DefaultLogger, Runtime, Worker } = (require('@temporalio/worker') as typeof import('@temporalio/worker'));
      const { installerBundle } = (require('../../worker/worker') as typeof import('../../worker/worker'));
      const bundle = await installerBundle();
      // The replay worker logs its state changes, and core a WARN for each nondeterminism it finds: the report
      // below says it all, one line per file. An installed runtime keeps the process alive until a worker has come
      // and gone, so it is shut down at the end whatever happened.
      let runtime: import('@temporalio/worker').Runtime | undefined;
      try {
        runtime = Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
      } catch { /* already installed */ }
      let failed = 0;
      try {
        for (const { file, history } of histories) {
          try {
            await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file, dataConverter }, history);
            process.stdout.write(`compatible    ${file}\n`);
          } catch (err) {
            failed++;
            // Core wraps the reason ("[TMPRL1100] Nondeterminism error: ...") in a debug dump of the failure.
            const message = (err as Error).message;
            process.stdout.write(`INCOMPATIBLE  ${file}: ${/\[TMPRL\d+\][^"]*/.exec(message)?.[0] ?? message.split('\n')[0]}\n`);
          }
        }
      } finally {
        await runtime?.shutdown();
      }
      if (failed) throw new UserError(`${failed} of ${files.length} histories do not replay: do not deploy this worker while such runs are open.`, EXIT_FAILED);
    });
}
