// The one activity that talks to Temporal rather than to a node: at the end of an install it puts the site
// under its doctor's Schedule (spec doctor.every; `off` removes it), through the worker's own connection.
import { Client, type ConnectionLike } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { removeDoctorSchedule, upsertDoctorSchedule } from '../client/doctor';
import { durationToMs } from '../site/patterns';
import { doctorScheduleId, type DoctorInput } from '../workflows/api';

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
  };
}
