import type { Command } from 'commander';
import { DURATION, durationToMs } from '../../site/patterns';
import { backupScheduleId } from '../../workflows/api';
import { removeBackupSchedule, renderBackup, runBackup, scheduleBackup } from '../backup';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { clientFor } from './common';

const MIN_EVERY_MS = 60_000;

export function registerBackup(program: Command): void {
  program.command('backup')
    .argument('<site>', 'the site name (spec `site:`) of an installed site')
    .option('-o, --output <dir>', 'the worker\'s backup directory (default KLOUDSPOT_BACKUP_DIR or ~/.local/share/kloudspot-installer/backups)')
    .option('--keep <n>', 'backups of the site to keep; older ones are removed (default 7)')
    .option('--every <interval>', 'back up on a Temporal Schedule backup/<site> this often (e.g. 24h), creating or updating it')
    .option('--stop', 'remove the site\'s Schedule backup/<site>')
    .option('--json', 'print the manifest as JSON')
    .description('back up the datastore (microk8s dbctl backup, checked), the certificates, values.yaml and the spec to the worker (workflow backup/<site>/<time>)')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ kloudspot-installer backup acme-hq',
      '  $ kloudspot-installer backup acme-hq -o /srv/backups --keep 14',
      '  $ kloudspot-installer backup acme-hq --every 24h',
    ].join('\n'))
    .action(async (site: string, o: { output?: string; keep?: string; every?: string; stop?: boolean; json?: boolean }, cmd: Command) => {
      if (o.every !== undefined && o.stop) throw new UserError('--every and --stop exclude each other. Fix: give one of them.', EXIT_BAD_INPUT);
      const keep = o.keep === undefined ? undefined : Number(o.keep);
      if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1 && keep <= 1000)) throw new UserError(`--keep "${o.keep}" must be a whole number from 1 to 1000.`, EXIT_BAD_INPUT);
      if (o.output !== undefined && !o.output.startsWith('/')) throw new UserError(`-o "${o.output}" must be an absolute path on the worker's machine.`, EXIT_BAD_INPUT);
      if (o.every !== undefined && (!DURATION.test(o.every) || durationToMs(o.every) < MIN_EVERY_MS)) {
        throw new UserError(`--every "${o.every}" is not an interval of at least 1m. Fix: a whole number followed by s, m or h, e.g. 24h.`, EXIT_BAD_INPUT);
      }
      const client = await clientFor(cmd);
      const opts = { ...(o.output ? { dir: o.output } : {}), ...(keep ? { keep } : {}) };
      if (o.stop) {
        process.stdout.write((await removeBackupSchedule(client, site)) ? `Removed the Schedule ${backupScheduleId(site)}.\n` : `No Schedule ${backupScheduleId(site)} to remove.\n`);
        return;
      }
      if (o.every !== undefined) {
        await scheduleBackup(client, site, durationToMs(o.every), opts);
        process.stdout.write(`Schedule ${backupScheduleId(site)}: a backup every ${o.every}.\n`);
        return;
      }
      const m = await runBackup(client, site, opts);
      process.stdout.write(o.json ? JSON.stringify(m, null, 2) + '\n' : renderBackup(m) + '\n');
    });
}
