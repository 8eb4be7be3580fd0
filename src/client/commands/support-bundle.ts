import { chmodSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { copyBundle, renderSupportBundle, runSupportBundle } from '../support-bundle';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { clientFor } from './common';

export function registerSupportBundle(program: Command): void {
  program.command('support-bundle')
    .argument('<site>', 'the site name of an installed site')
    .requiredOption('-o, --output <bundle.tar.gz>', 'where to write the archive (a new file)')
    .description('collect every node\'s microk8s inspect report, MicroK8s journal, dqlite cluster.yaml/info.yaml, the OpenEBS/cStor objects, helm status and the install\'s history into one archive, secrets redacted (workflow support-bundle/<site>/<time>)')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer support-bundle acme-hq -o acme-hq-bundle.tar.gz')
    .action(async (site: string, o: { output: string }, cmd: Command) => {
      if (!/\.(tar\.gz|tgz)$/.test(o.output)) throw new UserError(`-o ${o.output}: the bundle is a gzipped tar. Fix: name it <something>.tar.gz.`, EXIT_BAD_INPUT);
      // Before the collection, which takes minutes: the archive never overwrites a file.
      if (existsSync(o.output)) throw new UserError(`${o.output} already exists: give a new file name (support-bundle never overwrites a file).`, EXIT_BAD_INPUT);
      const r = await runSupportBundle(await clientFor(cmd), site);
      copyBundle(r, o.output);
      chmodSync(o.output, 0o600);
      process.stdout.write(renderSupportBundle(r, o.output) + '\n');
    });
}
