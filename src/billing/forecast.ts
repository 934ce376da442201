// How long a balance lasts at a monthly fee. A day's charge is the fee spread over the days of its month
// so that a whole month adds up to the fee exactly: day d of a D-day month costs
// floor(fee*d/D) - floor(fee*(d-1)/D). The daily charge run (billing issue) uses the same rule.
import { addDays, daysInMonth, splitDay, type Day } from '../lib/dates';

const MAX_MONTHS = 120;

/** Kopecks charged for the days from..to of one month (1-based, inclusive). */
export function chargeForDays(feeKopecks: number, daysInTheMonth: number, from: number, to: number): number {
  if (to < from) return 0;
  return Math.floor((feeKopecks * to) / daysInTheMonth) - Math.floor((feeKopecks * (from - 1)) / daysInTheMonth);
}

export function dailyCharge(feeKopecks: number, day: Day): number {
  const [y, m, d] = splitDay(day);
  return chargeForDays(feeKopecks, daysInMonth(y, m), d, d);
}

export type Forecast =
  | { kind: 'unlimited' } // no fee to pay
  | { kind: 'exhausted' } // does not cover tomorrow
  | { kind: 'until'; day: Day } // covers every day up to and including this one
  | { kind: 'beyond'; day: Day }; // lasts longer than we count (MAX_MONTHS)

/** Kopecks charged for the days from..to of one month for several monthly fees, each rounded on its own (the charge run: the tariff, and the sum of services). */
function chargeForDaysOfFees(fees: readonly number[], daysInTheMonth: number, from: number, to: number): number {
  return fees.reduce((sum, fee) => sum + chargeForDays(fee, daysInTheMonth, from, to), 0);
}

/** Money that will leave the balance on a known day besides the charges: an open promised payment taken back. */
export type Debit = { day: Day; amount: number };

/**
 * The last day a balance pays for, counting from the day after `today` (today's charge is already made).
 * `fee` is the tariff's monthly fee, or the monthly fees charged each day: [tariff, sum of services], as the run rounds them.
 * `debits` leave the balance on their day (a promised payment taken back): a day is paid for only when its charge and
 * that day's debits both fit; one due today (later today) is taken from the balance first.
 */
export function lastsUntil(balanceKopecks: number, fee: number | readonly number[], today: Day, debits: readonly Debit[] = []): Forecast {
  const fees = (typeof fee === 'number' ? [fee] : fee).filter((f) => f > 0);
  if (fees.length === 0) return { kind: 'unlimited' };
  const pending = debits.filter((x) => x.day > today).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  let left = balanceKopecks - debits.filter((x) => x.day <= today).reduce((sum, x) => sum + x.amount, 0);
  let day = addDays(today, 1);
  let paidAny = false;
  // Month by month; a month with a debit in it is split at the debit's day.
  for (let steps = 0; steps < MAX_MONTHS + pending.length; steps++) {
    const [y, m, d] = splitDay(day);
    const dim = daysInMonth(y, m);
    const next = pending.length && pending[0].day.slice(0, 7) === day.slice(0, 7) ? pending[0] : null;
    const end = next ? splitDay(next.day)[2] : dim;
    const debitOn = (n: number) => (next && n === end ? pending.filter((x) => x.day === next.day).reduce((sum, x) => sum + x.amount, 0) : 0);
    const cost = chargeForDaysOfFees(fees, dim, d, end) + debitOn(end);
    if (left >= cost) {
      left -= cost;
      if (next) while (pending.length && pending[0].day === next.day) pending.shift();
      day = addDays(day, end - d + 1);
      paidAny = true;
      continue;
    }
    let last = d - 1;
    while (last < end && chargeForDaysOfFees(fees, dim, d, last + 1) + debitOn(last + 1) <= left) last++;
    if (last < d) return paidAny ? { kind: 'until', day: addDays(day, -1) } : { kind: 'exhausted' };
    return { kind: 'until', day: addDays(day, last - d) };
  }
  return { kind: 'beyond', day: addDays(day, -1) };
}

/**
 * What opens a blocked contract today: what brings the balance back to the credit limit, plus today's charge when
 * it is not taken yet (unblocking takes it at once). 0 when the balance is at the limit or above and today is paid.
 */
export function amountToUnblock(balanceKopecks: number, creditLimitKopecks: number, todayChargeKopecks: number): number {
  return Math.max(0, -creditLimitKopecks - balanceKopecks) + todayChargeKopecks;
}

/**
 * «К оплате за следующий месяц»: what must be paid now so that the balance covers the rest of this month and the
 * whole next month at these monthly fees ([tariff, sum of services], as the run rounds them), never below zero.
 * `todayCharged`: today's charge is already taken (an active contract after 00:05); a contract blocked before
 * today has today still to pay, charged when a payment unblocks it.
 */
export function toPayForNextMonth(balanceKopecks: number, fees: readonly number[], today: Day, todayCharged = true): number {
  const [y, m, d] = splitDay(today);
  const dim = daysInMonth(y, m);
  const positive = fees.filter((f) => f > 0);
  const restOfMonth = chargeForDaysOfFees(positive, dim, todayCharged ? d + 1 : d, dim);
  const nextMonth = positive.reduce((sum, fee) => sum + fee, 0); // a whole month adds up to the fee exactly
  return Math.max(0, restOfMonth + nextMonth - balanceKopecks);
}
