// Pure arithmetic of a statement: monthly totals that add up exactly (closing = opening + the month's entries,
// the next month opens with it) and the rows shown, with runs of daily charges folded into one row.
import { addDays, addMonths, daysInMonth, pad, splitDay, type Day } from '../lib/dates';
import type { Period } from './period';

export type StatementEntry = {
  id: number; kind: string; amount_kopecks: number; description: string;
  period_from: string | null; period_to: string | null; occurred_at: string;
  /** The provider day of occurred_at. */
  day: Day;
};

export type MonthTotal = {
  month: string; // YYYY-MM
  from: Day; // the part of the month inside the period
  to: Day;
  whole: boolean; // the whole month is inside the period
  opening: number;
  charges: number; // kind charge (negative)
  payments: number; // kind payment
  other: number; // promised credit and its repayment, corrections, refunds (either sign)
  closing: number;
};

/** Every month the period touches, in order, each with its totals; `opening` is the sum of entries before the period. */
export function monthlyTotals(opening: number, entries: readonly StatementEntry[], period: Period): MonthTotal[] {
  const months: MonthTotal[] = [];
  const byMonth = new Map<string, MonthTotal>();
  for (let first = `${period.from.slice(0, 7)}-01`; first <= period.to; first = addMonths(first, 1)) {
    const [y, m] = splitDay(first);
    const last = `${y}-${pad(m)}-${pad(daysInMonth(y, m))}`;
    const t: MonthTotal = {
      month: first.slice(0, 7), from: first < period.from ? period.from : first, to: last > period.to ? period.to : last,
      whole: first >= period.from && last <= period.to, opening: 0, charges: 0, payments: 0, other: 0, closing: 0,
    };
    months.push(t);
    byMonth.set(t.month, t);
  }
  for (const e of entries) {
    const t = byMonth.get(e.day.slice(0, 7));
    if (!t) throw new RangeError(`entry ${e.id} of ${e.day} is outside the period`);
    if (e.kind === 'charge') t.charges += e.amount_kopecks;
    else if (e.kind === 'payment') t.payments += e.amount_kopecks;
    else t.other += e.amount_kopecks;
  }
  let balance = opening;
  for (const t of months) {
    t.opening = balance;
    t.closing = balance + t.charges + t.payments + t.other;
    balance = t.closing;
  }
  return months;
}

export type StatementRow = {
  kind: string; description: string; amount: number;
  /** The provider day of the entry, or the first and last day of a run of daily charges. */
  firstDay: Day; lastDay: Day; days: number;
  /** The days a single entry covers when they are more than one (a monthly charge): shown beside it. */
  period: { from: Day; to: Day } | null;
};

const isDailyCharge = (e: StatementEntry) => e.kind === 'charge' && e.period_from !== null && e.period_from === e.period_to;

/** Rows in ledger order; consecutive daily charges of one month with the same description become one row. */
export function groupRows(entries: readonly StatementEntry[]): StatementRow[] {
  const rows: StatementRow[] = [];
  let run: StatementRow | null = null;
  for (const e of entries) {
    const charged = e.period_from ?? e.day;
    if (run && isDailyCharge(e) && e.description === run.description && charged === addDays(run.lastDay, 1) && charged.slice(0, 7) === run.lastDay.slice(0, 7)) {
      run.amount += e.amount_kopecks;
      run.lastDay = charged;
      run.days++;
      continue;
    }
    const period = e.period_from && e.period_to && e.period_from !== e.period_to ? { from: e.period_from, to: e.period_to } : null;
    const row: StatementRow = { kind: e.kind, description: e.description, amount: e.amount_kopecks, firstDay: isDailyCharge(e) ? charged : e.day, lastDay: isDailyCharge(e) ? charged : e.day, days: 1, period };
    rows.push(row);
    run = isDailyCharge(e) ? row : null;
  }
  return rows;
}
