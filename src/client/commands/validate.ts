import type { Command } from 'commander';
import { loadSiteSpecFile, summarizeSpec } from '../../site/load';

export function registerValidate(program: Command): void {
  program.command('validate')
    .argument('<site.yaml>', 'the site spec to check')
    .description('check a site spec: every problem is listed with its path and how to fix it')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer validate examples/site.yaml\n  OK: acme-hq (4 nodes: 3 managers, 1 workers)')
    .action((file: string) => {
      const spec = loadSiteSpecFile(file);
      process.stdout.write(`OK: ${summarizeSpec(spec)}\n`);
    });
}
