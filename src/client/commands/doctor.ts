import type { Command } from 'commander';
import { DURATION, durationToMs } from '../../site/patterns';
import { renderDoctorReport, runDoctor, scheduleDoctor, removeDoctorSchedule } from '../doctor';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { doctorScheduleId } from '../../workflows/api';
import { clientFor } from './common';

/** The shortest interval a schedule may have: a doctor run reads every node, so not more often than this. */
const MIN_EVERY_MS = 10_000;

export function registerDoctor(program: Command): void {
  program.command('doctor')
    .argument('<site>', 'the site name (spec `site:`) of an installed site')
    .option('--json', 'print the report as JSON')
    .option('--every <interval>', 'run on a Temporal Schedule doctor/<site> this often (e.g. 6h, 30m), creating or updating it')
    .option('--stop', 'remove the site\'s Schedule doctor/<site>')
    .description('check an installed site without changing it: nodes, datastore voters, certificates, disks, clocks, pools, pods (exit 1 when a check fails)')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ kloudspot-installer doctor acme-hq',
      '  $ kloudspot-installer doctor acme-hq --json | jq \'.checks[] | select(.level != "ok")\'',
      '  $ kloudspot-installer doctor acme-hq --every 6h      (then: kloudspot-installer list --health fail)',
      '  $ kloudspot-installer doctor acme-hq --stop',
    ].join('\n'))
    .action(async (site: string, opts: { json?: boolean; every?: string; stop?: boolean }, cmd: Command) => {
      if (opts.every !== undefined && opts.stop) throw new UserError('--every and --stop exclude each other. Fix: give one of them.', EXIT_BAD_INPUT);
      if (opts.every !== undefined && (!DURATION.test(opts.every) || durationToMs(opts.every) < MIN_EVERY_MS)) {
        throw new UserError(`--every "${opts.every}" is not an interval of at least 10s. Fix: write a whole number followed by s, m or h, e.g. 6h.`, EXIT_BAD_INPUT);
      }
      const client = await clientFor(cmd);
      if (opts.stop) {
        const removed = await removeDoctorSchedule(client, site);
        process.stdout.write(removed ? `Removed the schedule ${doctorScheduleId(site)}.\n` : `No schedule ${doctorScheduleId(site)} to remove.\n`);
        return;
      }
      if (opts.every !== undefined) {
        await scheduleDoctor(client, site, durationToMs(opts.every));
        process.stdout.write(`Schedule ${doctorScheduleId(site)}: doctor every ${opts.every} (a run still going when the next is due is skipped).\n` +
          'The latest verdict shows in: kloudspot-installer list\n');
        return;
      }
      const report = await runDoctor(client, site);
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderDoctorReport(report) + '\n');
      if (report.verdict === 'fail') process.exitCode = EXIT_FAILED;
    });
}
