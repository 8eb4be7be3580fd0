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

const program = new Command('kloudspot-installer')
  .description('Durable installer: bare Ubuntu 22.04 machines to an HA MicroK8s cluster running the Kloudspot chart')
  .option('--debug', 'print stack traces with errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

addConnectionOptions(program);
registerValidate(program);
registerSim(program);
registerInstall(program);
registerAnswers(program);
registerHistory(program);
registerWorker(program);
registerDev(program);
registerCodec(program);

function report(err: unknown): number {
  const debug = process.argv.includes('--debug');
  if (err instanceof CommanderError) {
    // Commander already printed its message; help and version are successes.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return EXIT_BAD_INPUT;
  }
  if (err instanceof SpecError) {
    process.stderr.write(err.message + '\n');
    return EXIT_BAD_INPUT;
  }
  if (err instanceof UserError) {
    process.stderr.write(err.message + '\n');
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`Error: ${e?.message ?? String(err)}\n`);
  if (debug && e?.stack) process.stderr.write(e.stack + '\n');
  else process.stderr.write('(run with --debug for details)\n');
  return EXIT_FAILED;
}

program.parseAsync(process.argv).then(
  () => { process.exitCode = process.exitCode ?? 0; },
  (err) => { process.exitCode = report(err); },
);
