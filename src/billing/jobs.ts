// The billing engine's scheduled work, as job handlers (see src/jobs): the daily charge run at 00:05 provider time,
// catching up any days missed while the process was down.
import type { AppContext } from '../context';
import { dayOf, startOfDay, type Day } from '../lib/dates';
import type { JobHandler, Jobs } from '../jobs/service';
import { runChargeDaysThrough } from './charges';

export const CHARGE_DAY_JOB = 'charge_day';
const CHARGE_RUN_MINUTE = 5; // 00:05 provider time

export function billingJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  return {
    [CHARGE_DAY_JOB]: async (payload) => {
      const results = await chargeThrough(ctx, String(payload.day));
      for (const r of results) if (!r.alreadyDone) ctx.logger.info({ charge: r }, 'charge day done');
    },
  };
}

export function chargeThrough(ctx: AppContext, day: Day) {
  return runChargeDaysThrough(ctx.db, day, { timeZone: ctx.config.timeZone, now: () => ctx.clock.now(), pausedDailyFeeKopecks: ctx.config.billing.voluntaryBlock.dailyFeeKopecks });
}

/** Puts today's charge run in the jobs table (once per day); it becomes due at 00:05 provider time. */
export function scheduleBillingDay(ctx: AppContext, jobs: Jobs) {
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  const runAt = new Date(startOfDay(today, ctx.config.timeZone).getTime() + CHARGE_RUN_MINUTE * 60_000);
  return jobs.enqueue(CHARGE_DAY_JOB, runAt, `${CHARGE_DAY_JOB}:${today}`, { day: today });
}
