// The rules of «Добровольная блокировка» as pure functions: how long a period may be, and how many days of
// the calendar year the blocks of a contract take.
import type { Config } from '../config';
import { addDays, dayOf, splitDay, type Day } from '../lib/dates';

/** The limits from config (VOLUNTARY_BLOCK_*). */
export type VoluntaryRules = Config['billing']['voluntaryBlock'];
export type BlockStatus = 'scheduled' | 'active' | 'finished' | 'cancelled';
export type CountedBlock = { from_day: Day; to_day: Day; status: BlockStatus; ended_at: string | null };

/** How far ahead a block may start: a block years away would only stand in the way of a real one. */
export const MAX_DAYS_AHEAD = 365;

export function daysInclusive(from: Day, to: Day): number {
  const [y1, m1, d1] = splitDay(from);
  const [y2, m2, d2] = splitDay(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000) + 1;
}

/**
 * The last day a block takes, or null when it takes none. A cancelled block takes none; a finished one ends the
 * day before it was ended (that day is charged again), so one ended early counts only the days it lasted.
 */
export function lastCountedDay(b: CountedBlock, tz: string): Day | null {
  if (b.status === 'cancelled') return null;
  if (b.status !== 'finished' || !b.ended_at) return b.to_day;
  const dayBeforeEnd = addDays(dayOf(new Date(b.ended_at), tz), -1);
  const last = dayBeforeEnd < b.to_day ? dayBeforeEnd : b.to_day;
  return last < b.from_day ? null : last;
}

/** Days of from..to (inclusive) that fall in a calendar year. */
export function daysInYear(from: Day, to: Day, year: number): number {
  const start = from > `${year}-01-01` ? from : `${year}-01-01`;
  const end = to < `${year}-12-31` ? to : `${year}-12-31`;
  return end < start ? 0 : daysInclusive(start, end);
}

export function countedDays(b: CountedBlock, tz: string): number {
  const last = lastCountedDay(b, tz);
  return last ? daysInclusive(b.from_day, last) : 0;
}

export function usedInYear(blocks: CountedBlock[], year: number, tz: string): number {
  return blocks.reduce((sum, b) => {
    const last = lastCountedDay(b, tz);
    return last ? sum + daysInYear(b.from_day, last, year) : sum;
  }, 0);
}

export type PeriodError =
  | { field: 'from'; key: 'vb.from.past' | 'vb.from.tooFar' }
  | { field: 'to'; key: 'vb.to.beforeFrom' | 'vb.to.tooShort' | 'vb.to.tooLong' }
  | { field: 'to'; key: 'vb.to.overYear'; year: number; left: number };

/** Checks a period the subscriber asks for against the rules and the contract's other blocks. */
export function checkPeriod(p: { from: Day; to: Day; today: Day; rules: VoluntaryRules; blocks: CountedBlock[]; tz: string }): { ok: true; days: number } | { ok: false; error: PeriodError } {
  const fail = (error: PeriodError) => ({ ok: false as const, error });
  if (p.from < p.today) return fail({ field: 'from', key: 'vb.from.past' });
  if (p.from > addDays(p.today, MAX_DAYS_AHEAD)) return fail({ field: 'from', key: 'vb.from.tooFar' });
  if (p.to < p.from) return fail({ field: 'to', key: 'vb.to.beforeFrom' });
  const days = daysInclusive(p.from, p.to);
  if (days < p.rules.minDays) return fail({ field: 'to', key: 'vb.to.tooShort' });
  if (days > p.rules.maxDays) return fail({ field: 'to', key: 'vb.to.tooLong' });
  for (let year = splitDay(p.from)[0]; year <= splitDay(p.to)[0]; year++) {
    const used = usedInYear(p.blocks, year, p.tz);
    if (used + daysInYear(p.from, p.to, year) > p.rules.daysPerYear) return fail({ field: 'to', key: 'vb.to.overYear', year, left: Math.max(0, p.rules.daysPerYear - used) });
  }
  return { ok: true, days };
}
