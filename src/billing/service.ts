// The only writer of the ledger. Every entry and the cached balance it changes land in one transaction;
// an entry whose idempotency key is already there is not written again.
import type { Db, Trx } from '../db';
import * as q from './queries';

export type { LedgerEntryInput, LedgerKind } from './queries';

/** Writes one ledger entry and moves the cached balance with it. Must run inside a transaction. */
export async function postEntry(trx: Trx, entry: q.LedgerEntryInput): Promise<{ entryId: number; created: boolean }> {
  if (!Number.isSafeInteger(entry.amount_kopecks)) throw new RangeError('amount must be whole kopecks');
  const existing = await q.findEntryByKey(trx, entry.idempotency_key);
  if (existing) return { entryId: existing.id, created: false };
  const entryId = await q.insertEntry(trx, entry);
  await q.addToCachedBalance(trx, entry.contract_id, entry.amount_kopecks, entry.occurred_at);
  return { entryId, created: true };
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
  const [cached, ledger] = await Promise.all([q.cachedBalance(db, contractId), q.ledgerSum(db, contractId)]);
  return { cached, ledger };
}
