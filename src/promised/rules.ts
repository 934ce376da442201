// The rules of «Обещанный платёж» as pure functions of the contract's state: who may take one, and how much.
import { amountToUnblock } from '../billing/forecast';
import type { Config } from '../config';
import { addDays, sameTimeDaysLater, type Day } from '../lib/dates';

/** The limits from config (PROMISED_PAYMENT_*). */
export type PromisedRules = Config['billing']['promisedPayment'];

export type PromisedState = {
  status: 'active' | 'blocked' | 'paused' | 'closed';
  balance: number;
  creditLimit: number;
  tariffFee: number;
  /** Today's charge when it is not taken yet (it will be, at once if a credit unblocks the contract), else 0. */
  todayCharge: number;
  /** What the days after today cost, for the term (termDays days). */
  termCharge: number;
  open: { amount: number; dueAt: string } | null;
  /** The most recent promised payment (open or repaid). */
  last: { takenDay: Day; repaidLate: boolean } | null;
  today: Day;
};

export type Refusal =
  | { reason: 'paused' | 'late' | 'noFee' | 'notNeeded' | 'closed' }
  | { reason: 'open'; amount: number; dueAt: string; next: Day }
  | { reason: 'interval'; next: Day }
  | { reason: 'debt'; max: number; need: number; debt: number };

export type Offer = { min: number; max: number; suggested: number };

export const MIN_AMOUNT = 100; // 1 ₽

/** The largest amount: the given percentage of the tariff's monthly fee, down to a whole kopeck. */
export const maxAmount = (fee: number, percent: number) => Math.floor((fee * percent) / 100);

/** The first day a new promised payment may be taken after one taken on `takenDay`. */
export const nextAllowedDay = (takenDay: Day, intervalDays: number) => addDays(takenDay, intervalDays);

/** Nearly empty: what may still be spent (down to the credit limit) does not pay for today and the term. */
export const nearlyEmpty = (s: PromisedState) => s.balance + s.creditLimit < s.todayCharge + s.termCharge;

/** Whether a promised payment may be taken now, and if so the range of amounts. */
export function promisedOffer(s: PromisedState, rules: PromisedRules): { ok: true; offer: Offer } | { ok: false; refusal: Refusal } {
  const refuse = (refusal: Refusal) => ({ ok: false as const, refusal });
  if (s.status === 'closed') return refuse({ reason: 'closed' }); // nothing is charged any more: nothing to promise
  if (s.status === 'paused') return refuse({ reason: 'paused' });
  if (s.open) return refuse({ reason: 'open', amount: s.open.amount, dueAt: s.open.dueAt, next: nextAllowedDay(s.last?.takenDay ?? s.today, rules.intervalDays) });
  if (s.last?.repaidLate) return refuse({ reason: 'late' });
  if (s.last && s.today < nextAllowedDay(s.last.takenDay, rules.intervalDays)) return refuse({ reason: 'interval', next: nextAllowedDay(s.last.takenDay, rules.intervalDays) });
  const max = maxAmount(s.tariffFee, rules.maxPercentOfFee);
  if (max < MIN_AMOUNT) return refuse({ reason: 'noFee' });
  if (s.status === 'active' && !nearlyEmpty(s)) return refuse({ reason: 'notNeeded' });
  if (s.status !== 'blocked') return { ok: true, offer: { min: MIN_AMOUNT, max, suggested: max } };
  // The largest amount caps the debt (down to the limit) a promised payment may cover: a debt of exactly the largest
  // amount is taken. A blocked contract must also pay today, which unblocking takes at once, or the credit would
  // unblock nothing: so its amount runs from what unblocks it (billing's amountToUnblock) to the largest amount, or
  // to what unblocks it when that is more (by today's charge at most).
  const debt = Math.max(0, -s.creditLimit - s.balance);
  const need = amountToUnblock(s.balance, s.creditLimit, s.todayCharge);
  if (debt > max) return refuse({ reason: 'debt', max, need, debt });
  const min = Math.max(MIN_AMOUNT, need);
  const top = Math.max(max, min);
  // The largest amount is the kindest default: it is all taken back at the end whatever it is, and the more
  // there is, the less likely the contract is blocked again before the subscriber pays.
  return { ok: true, offer: { min, max: top, suggested: top } };
}

/** Where an amount falls against the offer: the message key of the field error, or null when it fits. */
export function amountError(amount: number, offer: Offer): 'promised.amount.tooSmall' | 'promised.amount.tooLarge' | null {
  if (amount > offer.max) return 'promised.amount.tooLarge';
  if (amount < offer.min) return 'promised.amount.tooSmall';
  return null;
}

/** The same provider wall-clock time termDays later: taken on 24.11 at 12:00, due on 27.11 at 12:00. */
export function dueAt(now: Date, termDays: number, tz: string): Date {
  return sameTimeDaysLater(now, termDays, tz);
}
