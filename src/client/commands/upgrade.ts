import type { Command } from 'commander';
import { loadSiteSpecFile } from '../../site/load';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { checkChannel, startUpgrade } from '../upgrade';
import { watchInstall } from '../watch';
import { clientFor, globals } from './common';

export function registerUpgrade(program: Command): void {
  program.command('upgrade')
    .argument('<site.yaml>', 'the site spec of an installed site')
    .requiredOption('--channel <channel>', 'the MicroK8s snap channel to move to: the next minor after every node\'s, e.g. 1.33/stable')
    .option('--drain-timeout <seconds>', 'how long one kubectl drain waits for evictions a PodDisruptionBudget refuses before asking (default 120)')
    .description('upgrade MicroK8s one node at a time, managers first: doctor and channel pre-checks, then drain, snap refresh --channel, ' +
      'wait for Ready and every datastore voter, uncordon (workflow upgrade/<site>); a blocked drain asks: wait, force or abort')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ kloudspot-installer upgrade site.yaml --channel 1.33/stable',
      '  $ kloudspot-installer resolve acme-hq --step k8s-vm-2:drain --action wait --workflow upgrade/acme-hq',
    ].join('\n'))
    .action(async (file: string, o: { channel: string; drainTimeout?: string }, cmd: Command) => {
      const spec = loadSiteSpecFile(file);
      checkChannel(o.channel);
      const drainTimeoutSeconds = o.drainTimeout === undefined ? undefined : Number(o.drainTimeout);
      if (drainTimeoutSeconds !== undefined && !(Number.isInteger(drainTimeoutSeconds) && drainTimeoutSeconds >= 10 && drainTimeoutSeconds <= 3600)) {
        throw new UserError(`--drain-timeout "${o.drainTimeout}" must be whole seconds between 10 and 3600.`, EXIT_BAD_INPUT);
      }
      const client = await clientFor(cmd);
      const handle = await startUpgrade(client, spec, o.channel, drainTimeoutSeconds === undefined ? {} : { drainTimeoutSeconds });
      process.stdout.write(`Started ${handle.workflowId}: one node at a time, managers first.\n`);
      const r = await watchInstall(client, spec.site, { workflowId: handle.workflowId, uiUrl: globals(cmd).uiUrl });
      if (!r.ok) process.exitCode = EXIT_FAILED;
    });
}
