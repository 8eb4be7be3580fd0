import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { requireNamespaceReady } from '../../temporal/namespace-check';
import { loadDevOnly } from '../dev-only';

export function registerDev(program: Command): void {
  program.command('dev')
    .option('--simulate <n>', 'also start N simulated nodes and write their site spec')
    .option('--dir <dir>', 'where the dev server keeps its database and the codec key', '.kloudspot-dev')
    .description('run a local Temporal dev server (Web UI, codec server) and a worker; optionally simulated nodes')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer dev --simulate 3\n  $ kloudspot-installer install .kloudspot-dev/site.yaml --watch --codec-key-file .kloudspot-dev/codec-keys.json --address 127.0.0.1:7233')
    .action(async (o: { simulate?: string; dir: string }) => {
      // Loaded here, not at CLI start: the worker and simulator cost a second of start-up for every command.
      const { startDevStack } = (require('../dev-stack') as typeof import('../dev-stack'));
      // Before anything starts: in the production image the simulator is not there.
      const sim = o.simulate ? loadDevOnly('`dev --simulate`', '../../sim', () => require('../../sim') as typeof import('../../sim')) : undefined;
      const dir = resolve(o.dir);
      const stack = await startDevStack({ dir, log: (l) => process.stdout.write(l + '\n') });
      try {
        // Our own dev server registers them; a database from an older version may lack a newer one.
        await requireNamespaceReady(stack.client.connection, stack.server.namespace, stack.server.address);
      } catch (err) {
        await stack.stop();
        throw err;
      }
      const fleet = sim ? await sim.startFleet({ nodes: Number(o.simulate), site: 'dev-site', dir, severalBlockDevices: [1] }) : undefined;
      const say = (l: string) => process.stdout.write(l + '\n');
      say(`Temporal:     ${stack.server.address}`);
      say(`Web UI:       ${stack.uiUrl}`);
      say(`Codec server: ${stack.codecServer.url} (key ${stack.codecKeyFile})`);
      if (fleet) {
        writeFileSync(join(dir, 'site.yaml'), fleet.specYaml());
        say(`Simulated nodes: ${fleet.spec.nodes.map((n) => `${n.name}@${n.address}:${fleet.spec.ssh.port}`).join(', ')}`);
        say(`Site spec:    ${join(dir, 'site.yaml')}`);
        say(`Install with: kloudspot-installer install ${join(dir, 'site.yaml')} --watch --address ${stack.server.address} --codec-key-file ${stack.codecKeyFile}`);
      }
      say('Ctrl-C to stop.');
      await new Promise<void>((r) => { process.once('SIGINT', () => r()); process.once('SIGTERM', () => r()); });
      await fleet?.stop();
      await stack.stop();
    });
}
