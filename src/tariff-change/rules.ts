// The money of a tariff change, without a database: which days are recalculated, whether the balance covers the
// first day of the new tariff, and how long it lasts after. Daily charging makes "from today" exact: a day already
// charged at the old tariff gets its old share back and the new share charged, each as its own ledger entry.
import { dailyCharge, lastsUntil, type Forecast } from '../billing/forecast';
import { addDays, type Day } from '../lib/dates';

export type When = 'today' | 'next_month';

export type MoneyInput = {
  balance: number;
  oldFee: number;
  newFee: number;
  /** The monthly fees of the contract's services, summed (the run charges them as one fee). */
  servicesFee: number;
  today: Day;
  /** The first day at the new tariff: today, or the 1st of next month. */
  start: Day;
  /** Of the days from `start` to `today`, those already charged (at the old tariff). */
  chargedDays: Day[];
  /** Whether today is charged already (the run at 00:05, or an unblocking). */
  todayCharged: boolean;
  /** Whether today's charge run has finished (a contract it did not charge, e.g. signed after it, is not charged today). */
  runDone: boolean;
};

export type Correction = { day: Day; returned: number; charged: number };

export type MoneyPlan = {
  corrections: Correction[];
  /** The balance right after the change (with the corrections), or on the morning of `start` for a scheduled one. */
  balanceAfter: number;
  /** What the first day of the new tariff costs, and what the balance has for it. */
  need: number;
  have: number;
  covers: boolean;
  /** What is missing when it does not cover (a top-up of this much makes it cover), else 0. */
  short: number;
  lastsUntil: Forecast;
  /** Today's charge is still to come (before the 00:05 run): it will be taken at the new tariff. */
  todayPending: boolean;
};

/** The sum of the old tariff's and the services' daily shares from `from` to `to` inclusive. */
function oldCharges(input: MoneyInput, from: Day, to: Day): number {
  let sum = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) sum += dailyCharge(input.oldFee, d) + dailyCharge(input.servicesFee, d);
  return sum;
}

export function planMoney(input: MoneyInput): MoneyPlan {
  const fees = [input.newFee, input.servicesFee];
  const need = dailyCharge(input.newFee, input.start);
  if (input.start > input.today) {
    // Scheduled: the old tariff runs until the day before; the 1st's charge is the new tariff's first day.
    const firstUnpaid = input.todayCharged || input.runDone ? addDays(input.today, 1) : input.today;
    // Lasting through the month's last day at the current tariff is enough (even exactly, to zero): the 1st is then
    // charged by the run at the new tariff like any other day, and an empty balance blocks it as it would at the old one.
    const have = input.balance - oldCharges(input, firstUnpaid, addDays(input.start, -1));
    const covers = have >= 0;
    return { corrections: [], balanceAfter: have, need, have, covers, short: covers ? 0 : -have, lastsUntil: lastsUntil(have, fees, addDays(input.start, -1)), todayPending: false };
  }
  const corrections = input.chargedDays.map((day) => ({ day, returned: dailyCharge(input.oldFee, day), charged: dailyCharge(input.newFee, day) }));
  const balanceAfter = corrections.reduce((b, c) => b + c.returned - c.charged, input.balance);
  const startCharged = input.chargedDays.includes(input.start);
  // Charged already: the returned old share must pay the new one (the balance stays at zero or above).
  // Not charged yet (before 00:05): the run will take the new share from the balance.
  const have = startCharged ? balanceAfter + need : input.balance;
  const todayPending = !input.todayCharged && !input.runDone;
  const pendingToday = todayPending ? dailyCharge(input.newFee, input.today) + dailyCharge(input.servicesFee, input.today) : 0;
  return { corrections, balanceAfter, need, have, covers: have >= need, short: Math.max(0, need - have), lastsUntil: lastsUntil(balanceAfter - pendingToday, fees, input.today), todayPending };
}
