import { Command, CommanderError } from 'commander';
import { SpecError } from '../site/load';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from './errors';
import { addConnectionOptions } from './commands/common';
import { registerAnswers } from './commands/answer';
import { registerHistory } from './commands/history';
import { registerInstall } from './commands/install';
import { registerValidate } from './commands/validate';
import { registerSim } from './commands/sim';
import { registerWorker } from './commands/worker';
import { registerCodec } from './commands/codec';
import { registerDev } from './commands/dev';
import { registerMaintenance } from './commands/maintenance';
import { registerSetup } from './commands/setup';
import { registerReplaceNode } from './commands/replace-node';
import { registerTestbed } from './commands/testbed';
import { registerDoctor } from './commands/doctor';
import { registerRefreshCerts } from './commands/refresh-certs';
import { registerSupportBundle } from './commands/support-bundle';
import { registerPlan } from './commands/plan';
import { registerUpgrade } from './commands/upgrade';
import { registerBackup } from './commands/backup';
import { registerRestore } from './commands/restore';
import { registerReset } from './commands/reset';
import { NamespaceNotReadyError } from '../temporal/namespace-check';
import { describeServerError } from '../temporal/server-errors';

const program = new Command('kloudspot-installer')
  .description('Durable installer: bare Ubuntu 22.04 machines to an HA MicroK8s cluster running the Kloudspot chart')
  .option('--debug', 'print stack traces with errors')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', [
    '',
    'Examples:',
    '  $ kloudspot-installer validate site.yaml',
    '  $ kloudspot-installer install site.yaml --watch',
    '  $ kloudspot-installer status acme-hq',
    '  $ kloudspot-installer <command> --help     (every command has its own examples)',
    '',
    'Exit codes: 0 success, 1 failed operation, 2 bad input.',
  ].join('\n'))
  .exitOverride();

addConnectionOptions(program);
registerSetup(program);
registerValidate(program);
registerSim(program);
registerPlan(program);
registerReset(program);
registerInstall(program);
registerAnswers(program);
registerHistory(program);
registerWorker(program);
registerDev(program);
registerMaintenance(program);
registerReplaceNode(program);
registerCodec(program);
registerTestbed(program);
registerDoctor(program);
registerRefreshCerts(program);
registerUpgrade(program);
registerBackup(program);
registerRestore(program);
registerSupportBundle(program);

function report(err: unknown): number {
  const debug = process.argv.includes('--debug');
  if (err instanceof CommanderError) {
    // Commander already printed its message; help and version asked for are successes (exitCode 0), help shown
    // because no command was given is bad input like any other usage error.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    return EXIT_BAD_INPUT;
  }
  if (err instanceof SpecError) {
    process.stderr.write(err.message + '\n');
    return EXIT_BAD_INPUT;
  }
  if (err instanceof NamespaceNotReadyError) {
    process.stderr.write(err.message + '\n');
    return EXIT_FAILED;
  }
  if (err instanceof UserError) {
    process.stderr.write(err.message + '\n');
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  // A call the server refused: its status code and message, never only the SDK's "Failed to start Workflow".
  process.stderr.write(`Error: ${describeServerError(err) ?? e?.message ?? String(err)}\n`);
  if (debug && e?.stack) process.stderr.write(e.stack + '\n');
  else process.stderr.write('(run with --debug for details)\n');
  return EXIT_FAILED;
}

program.parseAsync(process.argv).then(
  () => { process.exitCode = process.exitCode ?? 0; },
  (err) => { process.exitCode = report(err); },
);
