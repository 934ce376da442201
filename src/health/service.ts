// The health check's rules: the database accepts a write, the scheduler ticked lately, yesterday is charged.
// The outbox backlog and failed work are shown, but do not fail the check: a failed SMS is staff's business
// (npm run outbox / jobs), not a reason for a proxy to take the site out.
import type { AppContext } from '../context';
import { isStorageError } from '../db';
import { addDays, dayOf } from '../lib/dates';
import { healthCounts, probeWrite } from './queries';

/** The scheduler ticks every minute: three minutes without a tick means it is stopped or stuck. */
export const SCHEDULER_STALE_MS = 3 * 60_000;
/** A tick's run (catching up missed days, say) still going after this long is stuck: every step has its own timeouts. */
export const SCHEDULER_STUCK_MS = 30 * 60_000;
/** The write probe's result is reused this long: polling every second costs one write a second at most. */
export const PROBE_CACHE_MS = 1_500;

type Probe = { status: 'ok' | 'busy' | 'skipped' | 'fail'; error?: string; at: string };

export type HealthReport = {
  status: 'ok' | 'fail';
  checks: {
    database: Probe;
    scheduler: { status: 'ok' | 'stale' | 'stuck' | 'never'; lastTickAt: string | null; runningSince: string | null };
    billing: { status: 'ok' | 'behind'; yesterday: string; lastChargedDay: string | null };
  };
  outbox: { queued: number; due: number; failed: number };
  jobs: { due: number; failed: number };
};

export function createHealthService(ctx: AppContext) {
  let cached: { atMs: number; probe: Probe } | null = null;

  async function writeProbe(now: Date): Promise<Probe> {
    const atMs = now.getTime();
    if (cached && atMs >= cached.atMs && atMs - cached.atMs < PROBE_CACHE_MS) return cached.probe;
    let probe: Probe;
    try {
      const r = await probeWrite(ctx.db, now.toISOString());
      probe = { status: r, at: now.toISOString() };
    } catch (err) {
      ctx.logger.error({ err }, 'health: the database refused a write');
      const code = (err as { code?: unknown }).code;
      probe = { status: 'fail', error: isStorageError(err) && typeof code === 'string' ? code : 'unexpected error', at: now.toISOString() };
    }
    cached = { atMs, probe };
    return probe;
  }

  return {
    async check(): Promise<HealthReport> {
      const now = ctx.clock.now();
      const database = await writeProbe(now);
      const yesterday = addDays(dayOf(now, ctx.config.timeZone), -1);
      let c;
      try {
        c = await healthCounts(ctx.db, { now: now.toISOString(), yesterday });
      } catch (err) {
        ctx.logger.error({ err }, 'health: the database refused a read');
        const failed: Probe = { status: 'fail', error: isStorageError(err) ? String((err as { code?: unknown }).code) : 'unexpected error', at: now.toISOString() };
        return {
          status: 'fail',
          checks: { database: failed, scheduler: { status: 'never', lastTickAt: null, runningSince: null }, billing: { status: 'behind', yesterday, lastChargedDay: null } },
          outbox: { queued: 0, due: 0, failed: 0 },
          jobs: { due: 0, failed: 0 },
        };
      }
      const tickAge = c.scheduler_at ? now.getTime() - new Date(c.scheduler_at).getTime() : null;
      const runAge = c.scheduler_running_since ? now.getTime() - new Date(c.scheduler_running_since).getTime() : 0;
      const scheduler = tickAge === null ? 'never' : tickAge > SCHEDULER_STALE_MS ? 'stale' : runAge > SCHEDULER_STUCK_MS ? 'stuck' : 'ok';
      // Charged yesterday, or billing began after it (a new installation charges its first day, today, at once).
      const billing = c.yesterday_charged > 0 || (c.first_charged_day !== null && c.first_charged_day > yesterday) ? 'ok' : 'behind';
      const ok = database.status !== 'fail' && scheduler === 'ok' && billing === 'ok';
      return {
        status: ok ? 'ok' : 'fail',
        checks: {
          database,
          scheduler: { status: scheduler, lastTickAt: c.scheduler_at, runningSince: c.scheduler_running_since },
          billing: { status: billing, yesterday, lastChargedDay: c.last_charged_day },
        },
        outbox: { queued: c.outbox_queued, due: c.outbox_due, failed: c.outbox_failed },
        jobs: { due: c.jobs_due, failed: c.jobs_failed },
      };
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
