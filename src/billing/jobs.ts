// The billing engine's scheduled work, as job handlers (see src/jobs): the daily charge run at 00:05 provider time,
// one job per day, so that days missed while the process was down are caught up in order.
import type { AppContext } from '../context';
import { addDays, dayOf, startOfDay, type Day } from '../lib/dates';
import type { JobHandler, Jobs } from '../jobs/service';
import { runChargeDaysThrough, type ChargeRunResult } from './charges';
import { lastChargeDay } from './queries';

export const CHARGE_DAY_JOB = 'charge_day';
const CHARGE_RUN_MINUTE = 5; // 00:05 provider time

export function billingJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  return {
    [CHARGE_DAY_JOB]: async (payload) => {
      // Each day is logged as soon as it is done: a catch-up stopped by SIGTERM says how far it got.
      await chargeThrough(ctx, String(payload.day), (r) => {
        if (!r.alreadyDone) ctx.logger.info({ charge: r }, 'charge day done');
      });
    },
  };
}

/** Every day not yet charged up to `day`, in a worker thread when the database is a file (see charges.ts). */
export function chargeThrough(ctx: AppContext, day: Day, onDay?: (r: ChargeRunResult) => void) {
  return runChargeDaysThrough(ctx.db, day, {
    timeZone: ctx.config.timeZone, now: () => ctx.clock.now(), pausedDailyFeeKopecks: ctx.config.billing.voluntaryBlock.dailyFeeKopecks,
    file: ctx.config.databaseUrl ? undefined : ctx.config.databaseFile, onDay,
  });
}

/**
 * Puts the charge run of every day not yet charged, up to today, in the jobs table (once per day), each due at
 * 00:05 of its own day. After downtime the jobs then run in the order of their days, interleaved with the other
 * jobs of those days (a voluntary block's start and end at 00:01, a tariff change on the 1st, a promised payment's
 * expiry), so each missed day is charged with the state it had.
 */
export async function scheduleBillingDay(ctx: AppContext, jobs: Jobs): Promise<void> {
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  const last = await lastChargeDay(ctx.db);
  for (let day = last && last < today ? addDays(last, 1) : today; day <= today; day = addDays(day, 1)) {
    const runAt = new Date(startOfDay(day, ctx.config.timeZone).getTime() + CHARGE_RUN_MINUTE * 60_000);
    await jobs.enqueue(CHARGE_DAY_JOB, runAt, `${CHARGE_DAY_JOB}:${day}`, { day });
  }
}
