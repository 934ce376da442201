import type { Db, Trx } from '../db';

export type LedgerKind = 'payment' | 'charge' | 'promised_credit' | 'promised_repayment' | 'correction' | 'refund';

export type LedgerEntryInput = {
  contract_id: number;
  kind: LedgerKind;
  amount_kopecks: number;
  description: string;
  period_from?: string | null;
  period_to?: string | null;
  idempotency_key: string;
  occurred_at: string;
};

export const findEntryByKey = (db: Db | Trx, key: string) =>
  db('ledger_entries').where({ idempotency_key: key }).first<{ id: number; contract_id: number; amount_kopecks: number } | undefined>();

export const insertEntry = async (db: Db | Trx, e: LedgerEntryInput): Promise<number> => {
  const [id] = await db('ledger_entries').insert(e);
  return id as number;
};

export const insertEntries = (trx: Trx, rows: LedgerEntryInput[]) => trx.batchInsert("ledger_entries", rows, 200).transacting(trx);

export const addToCachedBalance = (db: Db | Trx, contractId: number, delta: number, at: string) =>
  db('contracts').where({ id: contractId }).update({ balance_kopecks: db.raw('balance_kopecks + ?', [delta]), updated_at: at });

export const setCachedBalanceFromLedger = (db: Db | Trx, contractId: number, at: string) =>
  db('contracts')
    .where({ id: contractId })
    .update({
      balance_kopecks: db.raw('(select coalesce(sum(amount_kopecks), 0) from ledger_entries where contract_id = ?)', [contractId]),
      updated_at: at,
    });

export const ledgerSum = async (db: Db | Trx, contractId: number): Promise<number> => {
  const row = await db('ledger_entries').where({ contract_id: contractId }).sum({ s: 'amount_kopecks' }).first<{ s: number | null }>();
  return Number(row?.s ?? 0);
};

export const cachedBalance = async (db: Db | Trx, contractId: number): Promise<number | undefined> => {
  const row = await db('contracts').where({ id: contractId }).first<{ balance_kopecks: number } | undefined>('balance_kopecks');
  return row?.balance_kopecks;
};
