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
  const [{ id }] = await db('ledger_entries').insert(e).returning('id');
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

export type ContractStatus = 'active' | 'blocked' | 'paused';
export type BillingContract = { id: number; status: ContractStatus; balance_kopecks: number; credit_limit_kopecks: number; tariff_fee: number; created_at: string };

export const findBillingContract = (db: Db | Trx, contractId: number) =>
  db('contracts as c')
    .join('tariffs as t', 't.id', 'c.tariff_id')
    .where('c.id', contractId)
    .first<BillingContract | undefined>('c.id', 'c.status', 'c.balance_kopecks', 'c.credit_limit_kopecks', 't.monthly_fee_kopecks as tariff_fee', 'c.created_at');

/** Monthly fees of the extra services a contract has on a day. */
export const serviceFeesOn = (db: Db | Trx, contractId: number, day: string) =>
  db('contract_services as cs')
    .join('services as s', 's.id', 'cs.service_id')
    .where('cs.contract_id', contractId)
    .where('cs.from_day', '<=', day)
    .where((q) => q.whereNull('cs.to_day').orWhere('cs.to_day', '>=', day))
    .pluck<number[]>('s.monthly_fee_kopecks');

export const setStatus = async (trx: Trx, change: { contractId: number; from: ContractStatus; to: ContractStatus; cause: string; entryId: number | null; at: string }) => {
  await trx('contracts').where({ id: change.contractId }).update({ status: change.to, updated_at: change.at });
  await trx('contract_status_changes').insert({
    contract_id: change.contractId, from_status: change.from, to_status: change.to, cause: change.cause, ledger_entry_id: change.entryId, at: change.at,
  });
};

export const lastChargeDay = async (db: Db | Trx): Promise<string | null> => {
  const row = await db('charge_days').max({ day: 'day' }).first<{ day: string | null }>();
  return row?.day ?? null;
};

export const isChargeDayDone = async (db: Db | Trx, day: string) => Boolean(await db('charge_days').where({ day }).first());

export const markChargeDay = (trx: Trx, row: { day: string; contracts_charged: number; total_kopecks: number; finished_at: string }) => trx('charge_days').insert(row);

/**
 * Whether a charge entry of the contract already covers the day (period_from <= day <= period_to), whoever wrote it:
 * the daily run, an unblocking, the seed's monthly history, an import. Index ledger_entries_charge_periods.
 */
export const isDayCharged = async (db: Db | Trx, contractId: number, day: string) =>
  Boolean(
    await db('ledger_entries')
      .where({ contract_id: contractId, kind: 'charge' })
      .where('period_to', '>=', day)
      .where('period_from', '<=', day)
      .first('id'),
  );
