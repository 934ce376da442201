// The only writer of the ledger. Every entry and the cached balance it changes land in one transaction;
// an entry whose idempotency key is already there is not written again. The blocking rules run with every
// entry: below the credit limit an active contract is blocked; money that brings a blocked one back to the
// limit or above unblocks it at once, and the day's charge is then taken (charging resumes that day).
import type { Db, Trx } from '../db';
import { addDays, daysInMonth, splitDay, type Day } from '../lib/dates';
import { chargeKey } from './charges';
import { chargeForDays } from './forecast';
import * as q from './queries';

export type { LedgerEntryInput, LedgerKind, ContractStatus, ContractMoney } from './queries';
/** The one reader of a contract's money and status, and of the services in force on a day (see queries.ts). */
export { contractMoney, servicesOn, serviceFeesOn, isDayCharged, isChargeDayDone } from './queries';

export type PostOptions = {
  /** The provider's today: when the entry unblocks the contract, today's charge is taken (if not yet). */
  today?: Day;
  /** Why the status changes when this entry unblocks the contract (payment, promised_payment, correction ...). */
  cause?: string;
};

/**
 * Writes one ledger entry, moves the cached balance with it and applies the blocking rules. Inside a transaction.
 * The contract's row is locked first (forUpdate): two entries with the same key, or two entries that each decide a
 * status change, take turns on PostgreSQL as they do on SQLite; the second finds the first's entry and changes nothing.
 */
export async function postEntry(trx: Trx, entry: q.LedgerEntryInput, opts: PostOptions = {}): Promise<{ entryId: number; created: boolean }> {
  if (!Number.isSafeInteger(entry.amount_kopecks)) throw new RangeError('amount must be whole kopecks');
  const before = await q.contractMoney(trx, entry.contract_id, { lock: true });
  const existing = await q.findEntryByKey(trx, entry.idempotency_key);
  if (existing) return { entryId: existing.id, created: false };
  const entryId = await q.insertEntry(trx, entry);
  await q.addToCachedBalance(trx, entry.contract_id, entry.amount_kopecks, entry.occurred_at);
  if (before) await applyBlockRules(trx, { ...before, balance_kopecks: before.balance_kopecks + entry.amount_kopecks }, entryId, entry.occurred_at, opts);
  return { entryId, created: true };
}

/** The blocking rules on the contract as the entry left it (its row locked by postEntry). */
async function applyBlockRules(trx: Trx, c: q.ContractMoney, entryId: number, at: string, opts: PostOptions): Promise<void> {
  const contractId = c.id;
  const floor = -c.credit_limit_kopecks;
  if (c.status === 'active' && c.balance_kopecks < floor) {
    await q.setStatus(trx, { contractId, from: 'active', to: 'blocked', cause: 'balance_below_limit', entryId, at });
  } else if (c.status === 'blocked' && c.balance_kopecks >= floor) {
    await q.setStatus(trx, { contractId, from: 'blocked', to: 'active', cause: opts.cause ?? 'payment', entryId, at });
    if (opts.today) await chargeContractDay(trx, contractId, opts.today, at);
  }
}

/**
 * The day's share of a contract's tariff, plus that of the sum of its services: floor(fee·d/D) − floor(fee·(d−1)/D).
 * Exactly as the daily run (charges.ts) counts it: the same day must cost the same whichever path charges it.
 */
export async function dailyAmount(trx: Db | Trx, contractId: number, day: Day): Promise<number> {
  const c = await q.contractMoney(trx, contractId);
  if (!c) return 0;
  const [y, m, d] = splitDay(day);
  const dim = daysInMonth(y, m);
  const services = await q.serviceFeesOn(trx, contractId, day);
  return chargeForDays(c.tariff_fee, dim, d, d) + chargeForDays(services.reduce((sum, fee) => sum + fee, 0), dim, d, d);
}

/**
 * Charges one contract for one day, unless a charge entry already covers that day (its period_from..period_to,
 * whoever wrote it: the daily run, the seed, an import), and never twice (same key as the daily run).
 */
export async function chargeContractDay(trx: Trx, contractId: number, day: Day, at: string): Promise<{ created: boolean; amount: number }> {
  await q.contractMoney(trx, contractId, { lock: true }); // decided on below: whether the day is charged
  if (await q.isDayCharged(trx, contractId, day)) return { created: false, amount: 0 };
  const amount = await dailyAmount(trx, contractId, day);
  if (amount <= 0) return { created: false, amount: 0 };
  const r = await postEntry(trx, {
    contract_id: contractId, kind: 'charge', amount_kopecks: -amount, description: 'Абонентская плата за день',
    period_from: day, period_to: day, idempotency_key: chargeKey(contractId, day), occurred_at: at,
  });
  return { created: r.created, amount };
}

/** Loads a contract's past (the demo seed, a migration from another billing) and sets the cache from the sum. */
export async function importHistory(trx: Trx, contractId: number, entries: q.LedgerEntryInput[], at: string): Promise<void> {
  if (entries.some((e) => e.contract_id !== contractId || !Number.isSafeInteger(e.amount_kopecks))) {
    throw new RangeError('history entries must belong to the contract and be whole kopecks');
  }
  if (entries.length) await q.insertEntries(trx, entries);
  await q.setCachedBalanceFromLedger(trx, contractId, at);
}

/** The balance is the sum of the ledger; the cached column must always say the same. */
export async function checkBalance(db: Db | Trx, contractId: number): Promise<{ cached: number | undefined; ledger: number }> {
  const [c, ledger] = await Promise.all([q.contractMoney(db, contractId), q.ledgerSum(db, contractId)]);
  return { cached: c?.balance_kopecks, ledger };
}

/** A voluntary block begins: an active contract is paused (not charged, or charged the paused daily fee). */
export async function pauseContract(trx: Trx, contractId: number, cause: string, at: string): Promise<boolean> {
  const c = await q.contractMoney(trx, contractId, { lock: true });
  if (c?.status !== 'active') return false;
  await q.setStatus(trx, { contractId, from: 'active', to: 'paused', cause, entryId: null, at });
  return true;
}

/**
 * A voluntary block ends: the contract is active again and charging resumes that day (today's charge is taken now,
 * once: the daily run uses the same key). Below the credit limit it is then blocked, as after any entry.
 */
export async function resumeAfterPause(trx: Trx, contractId: number, today: Day, at: string, cause: string): Promise<q.ContractStatus | null> {
  const c = await q.contractMoney(trx, contractId, { lock: true });
  if (c?.status !== 'paused') return c?.status ?? null;
  await q.setStatus(trx, { contractId, from: 'paused', to: 'active', cause, entryId: null, at });
  await chargeContractDay(trx, contractId, today, at); // a new charge runs the blocking rules itself
  const after = await q.contractMoney(trx, contractId);
  if (after?.status === 'active' && after.balance_kopecks < -after.credit_limit_kopecks) {
    // today was charged already (the paused daily fee): the balance alone decides
    await q.setStatus(trx, { contractId, from: 'active', to: 'blocked', cause: 'balance_below_limit', entryId: null, at });
    return 'blocked';
  }
  return after?.status ?? null;
}

export type ClosingInput = {
  /** The last day of service: charged (if not yet), and nothing after it. */
  closedOn: Day;
  /** The provider's today: the first day the closing itself may have to charge (or the first day the run has not done). */
  today: Day;
  at: string;
  cause: string;
  reason: string;
  /** A paused contract's daily fee (config), as the run charges it. */
  pausedDailyFeeKopecks: number;
};

/** The days from which the closing charges what the run has not: today, or the first day the run has not done. */
async function firstDayToCharge(db: Db | Trx, today: Day): Promise<Day> {
  const last = await q.lastChargeDay(db);
  const next = last ? addDays(last, 1) : today;
  return next < today ? next : today;
}

/**
 * What charging is still to come until a contract's closing day (inclusive), day by day as the run would charge it:
 * an active contract its tariff's and services' shares, a paused one the paused daily fee, a blocked one nothing;
 * a day some charge already covers is skipped. The check page shows it; closeContract charges exactly this.
 */
export async function chargesUntilClosing(db: Db | Trx, contractId: number, status: q.ContractStatus, i: Pick<ClosingInput, 'closedOn' | 'today' | 'pausedDailyFeeKopecks'>): Promise<{ day: Day; amount: number }[]> {
  if (status !== 'active' && status !== 'paused') return [];
  const out: { day: Day; amount: number }[] = [];
  for (let day = await firstDayToCharge(db, i.today); day <= i.closedOn; day = addDays(day, 1)) {
    if (await q.isDayCharged(db, contractId, day)) continue;
    const amount = status === 'paused' ? i.pausedDailyFeeKopecks : await dailyAmount(db, contractId, day);
    if (amount > 0) out.push({ day, amount });
  }
  return out;
}

/**
 * Closes a contract: the status becomes 'closed' at once (one status change with its cause), the days up to the
 * closing day that no charge covers yet are charged now (the run's key per day, so the run could never take one
 * again), and the charge run never takes a closed contract (its candidates are active and paused ones only): nothing
 * is charged after the closing day. A blocked contract is not charged (as the run would not). False when it is
 * closed already. Inside a transaction; the contract's row is locked first.
 */
export async function closeContract(trx: Trx, contractId: number, i: ClosingInput): Promise<{ closed: false } | { closed: true; from: q.ContractStatus; charged: number }> {
  const c = await q.contractMoney(trx, contractId, { lock: true });
  if (!c || c.status === 'closed') return { closed: false };
  const due = await chargesUntilClosing(trx, contractId, c.status, i);
  // Closed first: the entries below then never block it (the blocking rules leave a closed contract alone).
  await q.setStatus(trx, { contractId, from: c.status, to: 'closed', cause: i.cause, entryId: null, at: i.at });
  await q.markClosed(trx, contractId, i.closedOn, i.reason, i.at);
  for (const d of due) {
    await postEntry(trx, {
      contract_id: contractId, kind: 'charge', amount_kopecks: -d.amount,
      description: c.status === 'paused' ? 'Добровольная блокировка: плата за день' : 'Абонентская плата за день',
      period_from: d.day, period_to: d.day, idempotency_key: chargeKey(contractId, d.day), occurred_at: i.at,
    });
  }
  return { closed: true, from: c.status, charged: due.reduce((s, d) => s + d.amount, 0) };
}
