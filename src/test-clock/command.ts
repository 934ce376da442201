// `kabinet clock show | set MOMENT | advance STEP | reset` (src/cli.ts): the testers' clock of a development or test
// instance (docs/testing.md «Moving the clock»). Refused in production. Throws with the reason (the CLI prints
// «error: …» and exits 1).
import type { AppContext } from '../context';
import { formatDateTime } from '../lib/dates';
import type { ServiceOverrides } from '../services';
import { DbClock, TestClockRefused } from './dbClock';
import { moveClock, type MoveResult } from './move';
import { afterStep, parseMoment } from './parse';
import { readClockRow } from './queries';

export const CLOCK_USAGE = 'usage: clock show | clock set 2027-01-01T00:05 | clock advance 90m|12h|3d | clock reset';

export async function clockCommand(ctx: AppContext, args: string[], out: (line: string) => void, overrides?: ServiceOverrides): Promise<MoveResult | null> {
  const [sub, value, extra] = args;
  if (ctx.config.isProduction) throw new TestClockRefused('refused: the clock can be moved in development and test only, and NODE_ENV is production here');
  if (!(ctx.clock instanceof DbClock)) throw new TestClockRefused('this process does not read the test clock');
  const clock = ctx.clock;
  const tz = ctx.config.timeZone;
  const shown = (at: Date) => `${formatDateTime(at, tz)} (${tz})`;
  if (extra !== undefined) throw new Error(CLOCK_USAGE);
  if (sub === 'show' && value === undefined) {
    const row = await clock.refresh();
    if (clock.moved()) out(`test time: ${shown(clock.now())}, running on (moved by ${row?.changed_by ?? '?'})`);
    else out(`real time: ${shown(clock.now())} (the clock is not moved)`);
    if (row?.started_from) out(`KABINET_NOW=${row.started_from} was applied at a start; a start with the same value keeps the clock where it is`);
    return null;
  }
  let to: Date | null;
  let realTime = false;
  let changedBy: string;
  if (sub === 'set' && value !== undefined) {
    to = parseMoment(value, tz);
    if (!to) throw new Error(`"${value}" is not a moment: write 2027-01-01T00:05 (the provider's time, ${tz}) or 2027-01-01T00:05+07:00`);
    changedBy = `kabinet clock set ${value}`;
  } else if (sub === 'advance' && value !== undefined) {
    await clock.refresh();
    to = afterStep(clock.now(), value, tz);
    if (!to) throw new Error(`"${value}" is not a step forward: write minutes, hours or days like 90m, 12h, 3d (or 1d12h); to go back, clock set`);
    changedBy = `kabinet clock advance ${value}`;
  } else if (sub === 'reset' && value === undefined) {
    to = clock.realNow();
    realTime = true;
    changedBy = 'kabinet clock reset';
  } else {
    throw new Error(CLOCK_USAGE);
  }
  const r = await moveClock(ctx, to, { changedBy, realTime, overrides, say: out });
  const direction = r.to > r.from ? `forward; the scheduler's work of the interval done in ${r.ticks} ticks` : r.to < r.from ? 'back; nothing done is undone' : 'not moved';
  out(`${realTime ? 'real time again' : 'test time'}: ${shown(r.to)} (from ${formatDateTime(r.from, tz)}: ${direction})`);
  if (!realTime) out('time runs on from there; every page shows the test-time banner until `kabinet clock reset`');
  return r;
}

/** The row as it is (for tests and `clock show`): null when the clock was never moved. */
export const clockRow = (ctx: AppContext) => readClockRow(ctx.db);
