// The end of an install: register the site's doctor Schedule. A failure here does not fail the finished
// install: it is logged (the worker log), and `doctor <site> --every 6h` does the same by hand.
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeFailure } from '../activities/failures';
import type { SiteContext } from './site-context';

const temporal = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

export async function registerDoctorSchedule(ctx: SiteContext): Promise<void> {
  try {
    const done = await temporal.registerDoctorSchedule({ spec: ctx.spec, hostKeys: Object.fromEntries(ctx.pins) });
    log.info('doctor schedule', { site: ctx.spec.site, done });
  } catch (err) {
    log.warn('doctor schedule not registered', { site: ctx.spec.site, error: describeFailure(err).message });
  }
}
