// The period of a statement: typed, or by default the last 12 months (this month and the 11 before it, to today);
// an end after today is today.
// At most MAX_MONTHS calendar months, so that neither the page nor the CSV can be made huge.
import { addMonths, splitDay, type Day } from '../lib/dates';
import type { MessageKey } from '../web/i18n';

export const DEFAULT_MONTHS = 12;
export const MAX_MONTHS = 36;

export type Period = { from: Day; to: Day };
export type PeriodResult = { ok: true; period: Period } | { ok: false; errors: Record<string, MessageKey> };

/** Calendar months the period touches: 2026-01-31..2026-02-01 touches two. */
export function monthsSpanned(from: Day, to: Day): number {
  const [fy, fm] = splitDay(from);
  const [ty, tm] = splitDay(to);
  return (ty - fy) * 12 + (tm - fm) + 1;
}

export function resolvePeriod(typed: { from: Day | null; to: Day | null }, today: Day): PeriodResult {
  if (typed.from && typed.from > today) return { ok: false, errors: { from: 'statement.from.future' } };
  const to = typed.to && typed.to < today ? typed.to : today; // nothing is dated after today: a later end is today
  const from = typed.from ?? addMonths(to, -(DEFAULT_MONTHS - 1));
  if (from > to) return { ok: false, errors: { to: 'period.reversed' } };
  if (monthsSpanned(from, to) > MAX_MONTHS) return { ok: false, errors: { from: 'statement.period.tooLong' } };
  return { ok: true, period: { from, to } };
}
