// The testers' movable clock (issue 14; development and test only, never read in production).
// - Where it stands: one row, test_clock (queries.ts): the test time `at` when the real clock showed `since`. Every
//   process of the instance (the server, its cluster workers, the CLI) keeps a DbClock that reads the row at start and
//   then once a second (watch), so they all agree and time runs on from the moved point at the real pace.
// - KABINET_NOW (config) is a `clock set` done at the start of a process, once per value: the row remembers the value
//   it applied (started_from), so a restart with the same value keeps the clock where testers moved it since.
// - Moving it (`kabinet clock set|advance|reset`, command.ts): the command itself does the scheduler's work of the
//   interval, in order (move.ts), holding the scheduler's turn meanwhile (src/jobs/turns.ts) so the server's
//   scheduler does nothing at the same time; it writes the row at each step, so the server's pages follow.
// - Back in time: refused when the new day is before the last day already charged (charge_days: a charged day
//   cannot be uncharged); otherwise allowed (what was done stays done, with its times; nothing is undone).
import type { Logger } from 'pino';
import { lastChargeDay } from '../billing/queries';
import { MovableClock, systemClock, type Clock, type ClockSetting } from '../clock';
import type { Config } from '../config';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { dayOf, formatDateTime, formatDay } from '../lib/dates';
import { readClockRow, writeClockRow, type ClockRow } from './queries';

/** A move the rules refuse (production, back past charged days, too far): the message says why. */
export class TestClockRefused extends Error {
  override name = 'TestClockRefused';
}

/** How often a process reads the row again. */
export const REFRESH_MS = 1000;

const settingOf = (row: ClockRow | undefined): ClockSetting | null =>
  row?.at && row.since ? { at: new Date(row.at), since: new Date(row.since) } : null;

/** The clock of a development or test process: the row's setting, read again at most once a second. */
export class DbClock extends MovableClock {
  constructor(private readonly db: Db, real: Clock = systemClock) {
    super(real);
  }
  async refresh(): Promise<ClockRow | undefined> {
    const row = await readClockRow(this.db);
    this.set(settingOf(row));
    return row;
  }
  /** Reads the row every REFRESH_MS until stopped (the timer keeps no process alive). */
  watch(onError: (err: unknown) => void): () => void {
    const timer = setInterval(() => void this.refresh().catch(onError), REFRESH_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** Refuses a move to `to` when its provider day is before the last day charged. */
export async function refuseBackPastCharges(db: Db, timeZone: string, to: Date, what: string): Promise<void> {
  const last = await lastChargeDay(db);
  if (last && dayOf(to, timeZone) < last) {
    throw new TestClockRefused(
      `${what}: ${formatDateTime(to, timeZone)} is before ${formatDay(last)}, a day already charged (days are charged through ${formatDay(last)}); `
      + 'a charged day cannot be uncharged: choose a later moment, or start from a fresh database',
    );
  }
}

/**
 * The clock of a process (boot): the real one in production (the row is never read there); elsewhere a DbClock,
 * after applying KABINET_NOW if this value was not applied yet (refused back past charged days: the start stops).
 */
export async function openClock(config: Config, db: Db, logger: Pick<Logger, 'info'>, real: Clock = systemClock): Promise<Clock> {
  if (config.isProduction) return systemClock;
  const clock = new DbClock(db, real);
  const row = await clock.refresh();
  if (config.testNow && row?.started_from !== config.testNow.text) {
    const what = `KABINET_NOW=${config.testNow.text}`;
    await refuseBackPastCharges(db, config.timeZone, config.testNow.at, what);
    const since = real.now().toISOString();
    await writeClockRow(db, { at: config.testNow.at.toISOString(), since, started_from: config.testNow.text, changed_by: what, changed_at: since });
    await clock.refresh();
    logger.info({ testTime: config.testNow.at.toISOString() }, `test clock: ${what}, the time is now ${formatDateTime(config.testNow.at, config.timeZone)} and runs on`);
  }
  return clock;
}

/** A running server keeps its DbClock fresh; anything else has nothing to watch. */
export function watchClock(ctx: AppContext): () => void {
  if (!(ctx.clock instanceof DbClock)) return () => {};
  return ctx.clock.watch((err) => ctx.logger.warn({ err }, 'test clock: the test_clock row could not be read'));
}

