// The activities that talk to Temporal rather than to a node, through the worker's own connection: at the end of
// an install the site goes under its doctor's Schedule (spec doctor.every; `off` removes it), and the doctor reads
// the site's backup Schedule (`backup <site> --every`) with the age of its newest backup on this worker.
import { Client, ScheduleNotFoundError, type ConnectionLike } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { removeDoctorSchedule, upsertDoctorSchedule } from '../client/doctor';
import { durationToMs } from '../site/patterns';
import { backupScheduleId, doctorScheduleId, type BackupInput, type DoctorInput } from '../workflows/api';
import { newestBackup } from './backup';

/** A site's backup Schedule and its newest backup: null when the site has no backup Schedule. */
export interface BackupFacts { everyMs: number; newest?: { takenAt: string; path: string } }

export interface TemporalAccess { connection: ConnectionLike; namespace: string; dataConverter?: DataConverter }

export function createDoctorScheduleActivities(temporal?: TemporalAccess) {
  return {
    /** What it did, in one line for the install's summary. */
    async registerDoctorSchedule(input: DoctorInput): Promise<string> {
      if (!temporal) return 'no schedule: this worker has no Temporal connection for activities';
      const client = new Client(temporal);
      const every = input.spec.doctor?.every ?? '6h';
      const id = doctorScheduleId(input.spec.site);
      if (every === 'off') return (await removeDoctorSchedule(client, input.spec.site)) ? `${id} removed (doctor.every: off)` : 'off';
      await upsertDoctorSchedule(client, input, durationToMs(every));
      return `${id} every ${every}`;
    },

    /** The Schedule backup/<site>'s interval and the newest backup in the directory it backs up to. */
    async backupFacts(site: string): Promise<BackupFacts | null> {
      if (!temporal) return null;
      let desc;
      try {
        desc = await new Client(temporal).schedule.getHandle(backupScheduleId(site)).describe();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError || /not found/i.test((err as Error).message)) return null;
        throw err;
      }
      const everyMs = desc.spec.intervals?.[0]?.every;
      if (!everyMs) return null;
      const args = (desc.action.type === 'startWorkflow' ? desc.action.args : undefined) ?? [];
      const m = await newestBackup(site, (args[0] as BackupInput | undefined)?.dir);
      return { everyMs, ...(m ? { newest: { takenAt: m.takenAt, path: m.path } } : {}) };
    },
  };
}
