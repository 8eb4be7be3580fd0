import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';

interface UpOptions { nodes: string; specOut: string; sudoPassword?: string; bastion?: boolean; site?: string; aptLock?: string }

/** A password file's first line (the file, never argv, carries it). */
function readPasswordFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`--sudo-password ${path}: cannot read it (${(err as Error).message}). Fix: give a file whose first line is the password`, EXIT_BAD_INPUT);
  }
  const pw = text.split('\n')[0];
  if (!pw) throw new UserError(`--sudo-password ${path}: the first line is empty. Fix: put the password on the first line`, EXIT_BAD_INPUT);
  return pw;
}

export function registerTestbed(program: Command): void {
  const testbed = program.command('testbed')
    .description('real Debian 12 nodes (systemd-nspawn) on a private network, to install onto (root only)')
    .addHelpText('after', '\nExamples:\n  $ sudo kloudspot-installer testbed up --nodes 3 --spec-out site.yaml\n  $ sudo kloudspot-installer testbed down');
  testbed.command('up')
    .description('boot N nodes with DHCP, an apt proxy and the cluster model behind the tools URL; write their site spec; runs until Ctrl-C')
    .option('--nodes <n>', 'number of nodes (3-9)', '3')
    .option('--spec-out <file>', 'where to write the site spec', 'site.testbed.yaml')
    .option('--sudo-password <file>', 'the node user needs this password for sudo (first line of the file) instead of passwordless sudo')
    .option('--bastion', 'one more container as jump host (real sshd); the nodes refuse SSH from this machine, the spec reaches them through it (ssh.bastion)')
    .option('--site <name>', 'the site name in the spec', 'testbed')
    .option('--apt-lock <seconds>', 'every boot, hold apt\'s lists lock this long (as apt-daily does on a fresh Ubuntu)')
    .addHelpText('after', '\nExample:\n  $ sudo kloudspot-installer testbed up --nodes 3 --spec-out site.yaml\n  $ kloudspot-installer install site.yaml --watch   # in another terminal\n' +
      '  $ sudo kloudspot-installer testbed up --bastion --sudo-password pw.txt --spec-out site.yaml   # field access\n  $ sudo kloudspot-installer testbed down           # after a crash of `up`')
    .action(async (o: UpOptions) => {
      const nodes = Number(o.nodes);
      if (!Number.isInteger(nodes) || nodes < 3 || nodes > 9) throw new UserError(`--nodes ${o.nodes}: give a whole number from 3 to 9`, EXIT_BAD_INPUT);
      const aptLock = o.aptLock === undefined ? undefined : Number(o.aptLock);
      if (aptLock !== undefined && (!Number.isInteger(aptLock) || aptLock < 1)) throw new UserError(`--apt-lock ${o.aptLock}: give whole seconds`, EXIT_BAD_INPUT);
      // Read here only to refuse an unreadable or empty file with a clear error; the testbed reads it again.
      if (o.sudoPassword !== undefined) readPasswordFile(o.sudoPassword);
      const { startTestbed, testbedDown } = require('../../testbed/testbed') as typeof import('../../testbed/testbed');
      const log = (l: string) => process.stdout.write(`${l}\n`);
      let tb: Awaited<ReturnType<typeof startTestbed>> | undefined;
      // Handlers first: an interrupt while nodes boot removes what was made so far (from the state file).
      const stopped = new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stdout.write('\nStopping the testbed...\n');
          const teardown = tb ? tb.stop() : testbedDown(log).then(() => { process.exitCode = EXIT_FAILED; });
          void teardown.then(done, (err: unknown) => { process.stderr.write(`${String(err)}\n`); done(); });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      try {
        tb = await startTestbed({ nodes, site: o.site, sudoPasswordFile: o.sudoPassword, bastion: o.bastion, aptListsLockSeconds: aptLock, severalBlockDevices: [1], modelLatency: 'realistic', log });
      } catch (err) {
        throw new UserError(`testbed up failed: ${(err as Error).message}`, EXIT_FAILED);
      }
      const specOut = resolve(o.specOut);
      writeFileSync(specOut, tb.specYaml);
      process.stdout.write(`Testbed up in ${Math.round(tb.timings.upMs / 1000)} s: ${tb.nodes.length} nodes\n`);
      // -J would not pass -i on to the jump host; a ProxyCommand does.
      const jump = tb.bastion ? ` -o ProxyCommand='ssh -i ${tb.keyFile} -W %h:%p ${tb.bastion.user}@${tb.bastion.address}'` : '';
      for (const n of tb.nodes) process.stdout.write(`  ${n.name.padEnd(10)} ssh -i ${tb.keyFile}${jump} ${tb.spec.ssh.user}@${n.address}\n`);
      if (tb.bastion) process.stdout.write(`  bastion    ${tb.bastion.user}@${tb.bastion.address}, host key ${tb.bastion.hostKey} (the nodes refuse SSH from this machine)\n`);
      process.stdout.write(`  gateway ${tb.spec.network.gateway}, virtual IP ${tb.spec.virtualIp}, tools ${tb.model.toolsUrl}\n`);
      if (o.sudoPassword !== undefined) process.stdout.write(`  sudo asks for the password in ${resolve(o.sudoPassword!)}\n`);
      process.stdout.write(`Spec: ${specOut}\nCtrl-C to stop (everything is removed; the root file system and apt cache stay cached).\n`);
      await stopped;
    });
  testbed.command('down')
    .description('remove everything a previous `testbed up` made (found from its state file), e.g. after it crashed')
    .addHelpText('after', '\nExample:\n  $ sudo kloudspot-installer testbed down')
    .action(async () => {
      const { testbedDown } = require('../../testbed/testbed') as typeof import('../../testbed/testbed');
      const found = await testbedDown((l) => process.stdout.write(`${l}\n`));
      if (!found) process.stdout.write('Nothing to remove.\n');
    });
}
