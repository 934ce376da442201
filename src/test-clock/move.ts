// Moving the testers' clock (`kabinet clock set|advance|reset`, command.ts): see dbClock.ts for the row it moves.
// Forward, the command itself does the scheduler's work of the interval, in order (replay below), through the same
// steps and job handlers as the server's scheduler (src/schedule.ts), holding the scheduler's turn throughout
// (src/jobs/turns.ts) so that no server's scheduler works at the same time; the row is written at each step, so the
// server's pages follow. Deterministic: when the command returns, everything due up to the new time is done.
import { ManualClock } from '../clock';
import type { AppContext } from '../context';
import { createJobs } from '../jobs/service';
import { schedulerTurns } from '../jobs/turns';
import { formatDateTime } from '../lib/dates';
import { scheduledWork } from '../schedule';
import { createServices, type ServiceOverrides } from '../services';
import { DbClock, refuseBackPastCharges, TestClockRefused } from './dbClock';
import { writeClockRow } from './queries';

/** The longest move at once: the replay ticks at least once an hour of it. */
export const MAX_MOVE_DAYS = 366;
const TURN_WAIT_MS = 120_000;
const HOUR_MS = 3_600_000;

export type MoveResult = { from: Date; to: Date; ticks: number; realTime: boolean };

/**
 * Moves the instance's clock to `to` (realTime: back to the real clock, the row's setting cleared). Forward: the
 * scheduler's work of every moment in between is done first, in order (replay). Holds the scheduler's turn throughout.
 */
export async function moveClock(
  ctx: AppContext, to: Date, o: { changedBy: string; realTime?: boolean; overrides?: ServiceOverrides; say?: (line: string) => void },
): Promise<MoveResult> {
  if (ctx.config.isProduction) throw new TestClockRefused('the clock can be moved in development and test only (NODE_ENV=production here)');
  if (!(ctx.clock instanceof DbClock)) throw new TestClockRefused('this process does not read the test clock');
  const clock = ctx.clock;
  await clock.refresh();
  const from = clock.now();
  if (to.getTime() - from.getTime() > MAX_MOVE_DAYS * 86_400_000) {
    throw new TestClockRefused(`${o.changedBy}: at most ${MAX_MOVE_DAYS} days at once (from ${formatDateTime(from, ctx.config.timeZone)})`);
  }
  const step = new ManualClock(from);
  const sctx: AppContext = { ...ctx, clock: step };
  const turns = schedulerTurns(sctx);
  await takeTurn(turns, o.say);
  const changedBy = o.changedBy.slice(0, 100);
  const write = (at: Date | null) => {
    const real = clock.realNow().toISOString();
    return writeClockRow(ctx.db, { at: at ? at.toISOString() : null, since: at ? real : null, changed_by: changedBy, changed_at: real });
  };
  let ticks = 0;
  try {
    await refuseBackPastCharges(ctx.db, ctx.config.timeZone, to, o.changedBy); // under the turn: no day is charged meanwhile
    if (to > from) {
      ticks = await replay(sctx, step, from, to, async (at) => {
        await write(at); // the server's pages follow the replay
        await turns.renew();
      }, o.overrides);
    }
    await write(o.realTime ? null : to);
  } finally {
    await turns.release();
  }
  await clock.refresh();
  return { from, to, ticks, realTime: Boolean(o.realTime) };
}

async function takeTurn(turns: ReturnType<typeof schedulerTurns>, say?: (line: string) => void): Promise<void> {
  const until = Date.now() + TURN_WAIT_MS;
  let told = false;
  while (!(await turns.take())) {
    if (Date.now() > until) throw new TestClockRefused('the scheduler is busy (another process holds its turn for more than two minutes): try again later');
    if (!told) say?.('waiting for the scheduler to finish its minute…');
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The scheduler's minute tick (src/schedule.ts, the same steps and job handlers, built on the stepping clock) at
 * `from`, at every whole hour after it, at each pending job's due time, and at `to`: so each day's charge run, each
 * promised payment's expiry, each voluntary block's start and end, the tariff changes of the 1st, the reminders and
 * the autopayments (with their retries) happen at their own moments, in order. Returns the number of ticks.
 */
async function replay(sctx: AppContext, step: ManualClock, from: Date, to: Date, onStep: (at: Date) => Promise<void>, overrides?: ServiceOverrides): Promise<number> {
  const services = createServices(sctx, overrides);
  const work = scheduledWork(sctx, services);
  const jobs = createJobs(sctx, work.handlers);
  let at = from;
  let ticks = 0;
  for (;;) {
    step.set(at);
    await onStep(at);
    for (const s of work.steps) {
      try {
        await s.run(jobs);
      } catch (err) {
        sctx.logger.error({ err, step: s.name }, 'test clock: scheduler tick step failed');
      }
    }
    // every job due by now, however many (the tick runs 50 at most)
    for (let i = 0; i < 1000 && (await jobs.runDue()).done > 0; i++);
    ticks++;
    if (at >= to) return ticks;
    const nextHour = new Date((Math.floor(at.getTime() / HOUR_MS) + 1) * HOUR_MS);
    const nextJob = await jobs.nextDueAfter(at);
    at = new Date(Math.min(nextHour.getTime(), nextJob ? nextJob.getTime() : Infinity, to.getTime()));
  }
}
