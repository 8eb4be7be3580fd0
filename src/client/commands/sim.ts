import { copyFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { loadDevOnly } from '../dev-only';
import { PROXY_URL } from '../../site/field-schema';

interface SimOptions {
  nodes: string; specOut: string; keyOut?: string; seed: string; latency: string; port?: string; site?: string; sudoPassword?: string; bastion?: boolean;
  proxy?: string;
}

/** The file must exist with a password on its first line: the nodes' sudo asks for it, the spec names the file. */
function sudoPasswordFileOption(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`--sudo-password ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Fix: give a file whose first line is the password`, EXIT_BAD_INPUT);
  }
  if (!text.split(/\r?\n/)[0]) throw new UserError(`--sudo-password ${path}: the first line is empty. Fix: put the password on the first line`, EXIT_BAD_INPUT);
  return resolve(path);
}

export function registerSim(program: Command): void {
  program.command('sim')
    .description('start simulated nodes (SSH servers on 127.0.0.x) and write a site spec pointing at them; runs until Ctrl-C')
    .option('--nodes <n>', 'number of nodes (3-64)', '3')
    .option('--spec-out <file>', 'where to write the site spec', 'site.sim.yaml')
    .option('--key-out <file>', 'also copy the SSH private key here (mode 0600); the spec then points at this copy')
    .option('--seed <n>', 'seed for every random choice (boot ids, tokens, latencies)', '1')
    .option('--latency <profile>', 'fast (tests) or realistic (about 30 s of work for a 3-node install)', 'realistic')
    .option('--port <n>', 'the SSH port every node listens on (default: a free one)')
    .option('--site <name>', 'the site name in the spec')
    .option('--sudo-password <file>', 'the nodes\' sudo asks for the password on the first line of this file (the spec sets ssh.sudoPasswordFile to it)')
    .option('--bastion', 'reach the nodes only through a simulated bastion (jump host); the spec gets ssh.bastion with its host key')
    .option('--proxy <url>', 'the nodes reach the internet only through this HTTP proxy (apt, curl and snapd fail without it); the spec gets proxy.http/https')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer sim --nodes 3 --spec-out site.yaml\n  $ kloudspot-installer install site.yaml   # in another terminal\n  $ kloudspot-installer sim --sudo-password pw.txt --bastion --proxy http://proxy.example:3128 --spec-out site.yaml   # field access')
    .action(async (o: SimOptions) => {
      const { startFleet } = loadDevOnly('`kloudspot-installer sim`', '../../sim', () => require('../../sim') as typeof import('../../sim'));
      const nodes = Number(o.nodes);
      if (!Number.isInteger(nodes) || nodes < 3 || nodes > 64) throw new UserError(`--nodes ${o.nodes}: give a whole number from 3 to 64`, EXIT_BAD_INPUT);
      if (o.latency !== 'fast' && o.latency !== 'realistic') throw new UserError(`--latency ${o.latency}: give fast or realistic`, EXIT_BAD_INPUT);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw new UserError(`--seed ${o.seed}: give a whole number`, EXIT_BAD_INPUT);
      const port = o.port === undefined ? undefined : Number(o.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UserError(`--port ${o.port}: give a TCP port`, EXIT_BAD_INPUT);

      const sudoPasswordFile = o.sudoPassword === undefined ? undefined : sudoPasswordFileOption(o.sudoPassword);
      if (o.proxy !== undefined && !PROXY_URL.test(o.proxy)) throw new UserError(`--proxy ${o.proxy}: not a proxy URL. Fix: give http://host:port, e.g. http://proxy.example:3128`, EXIT_BAD_INPUT);
      const fleet = await startFleet({ nodes, seed, latency: o.latency, port, site: o.site, sudoPasswordFile, bastion: o.bastion, proxy: o.proxy });
      if (o.keyOut) {
        const keyOut = resolve(o.keyOut);
        copyFileSync(fleet.keyFile, keyOut);
        chmodSync(keyOut, 0o600);
        fleet.spec.ssh.privateKeyFile = keyOut;
      }
      const specOut = resolve(o.specOut);
      writeFileSync(specOut, fleet.specYaml());
      process.stdout.write(`Simulated site ${fleet.spec.site}: ${nodes} nodes (${o.latency} latency, seed ${seed})\n`);
      for (const n of fleet.nodes) process.stdout.write(`  ${n.name.padEnd(10)} ssh ${fleet.spec.ssh.user}@${n.address} -p ${n.port}   host key ${n.hostKeyFingerprint}\n`);
      process.stdout.write(`  virtual IP ${fleet.spec.virtualIp}, gateway ${fleet.spec.network.gateway}\n`);
      if (fleet.bastion) process.stdout.write(`  bastion    ssh ${fleet.spec.ssh.user}@${fleet.bastion.address} -p ${fleet.bastion.port}   host key ${fleet.bastion.fingerprint} (forwarding only)\n`);
      if (o.proxy) process.stdout.write(`  the nodes reach the internet only through ${o.proxy}\n`);
      if (sudoPasswordFile) process.stdout.write(`  sudo asks for the password in ${sudoPasswordFile}\n`);
      process.stdout.write(`Spec: ${specOut}\nKey:  ${fleet.spec.ssh.privateKeyFile}\nCtrl-C to stop.\n`);

      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          const effects = fleet.effectKeys().length;
          process.stdout.write(`\nStopping: ${fleet.audit().length} commands run, ${effects} changes made.\n`);
          void fleet.stop().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
