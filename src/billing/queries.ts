import { forUpdate, type Db, type Trx } from '../db';

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
  const [{ id }] = (await db('ledger_entries').insert(e).returning('id')) as { id: number }[];
  return id;
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

export type ContractStatus = 'active' | 'blocked' | 'paused';
/** A contract's money and status: what every rule about the balance decides on (billing's own, promised payments,
 * voluntary blocks, tariff changes, autopayment). The one reader of them (the dashboard's summary aside). */
export type ContractMoney = {
  id: number; status: ContractStatus; balance_kopecks: number; credit_limit_kopecks: number;
  tariff_id: number; tariff_fee: number; created_at: string;
};

const MONEY_COLUMNS = ['id', 'status', 'balance_kopecks', 'credit_limit_kopecks', 'tariff_id', 'created_at'] as const;

/**
 * Reads a contract's money and status. `lock`: inside a rule's transaction, as its first read: the contract's row is
 * locked until the commit (SELECT … FOR UPDATE OF c on PostgreSQL; SQLite's writer lock already serialises), so a
 * second transaction deciding on the same contract waits and then reads what the first wrote. Only the contract's
 * row is locked, never its tariff's, which every contract on the tariff shares.
 */
export function contractMoney(db: Db | Trx, contractId: number, opts: { lock?: boolean } = {}): Promise<ContractMoney | undefined> {
  const q = db('contracts as c')
    .join('tariffs as t', 't.id', 'c.tariff_id')
    .where('c.id', contractId)
    .first<ContractMoney | undefined>(...MONEY_COLUMNS.map((col) => `c.${col}`), 't.monthly_fee_kopecks as tariff_fee');
  return opts.lock ? forUpdate(q, 'c') : q;
}

/**
 * The extra services in force on a day (from_day <= day <= to_day, or no to_day): the one definition of it, for one
 * contract (servicesOn, serviceFeesOn) and for every contract at once (servicesFeeOn as a column).
 */
const servicesInForce = (db: Db | Trx, day: string) =>
  db('contract_services as cs')
    .join('services as s', 's.id', 'cs.service_id')
    .where('cs.from_day', '<=', day)
    .where((w) => w.whereNull('cs.to_day').orWhere('cs.to_day', '>=', day));

/** A contract's extra services on a day, with their monthly fees, by name. */
export const servicesOn = (db: Db | Trx, contractId: number, day: string) =>
  servicesInForce(db, day).where('cs.contract_id', contractId).orderBy('s.name').select<{ name: string; monthly_fee_kopecks: number }[]>('s.name', 's.monthly_fee_kopecks');

/** Monthly fees of the extra services a contract has on a day. */
export const serviceFeesOn = async (db: Db | Trx, contractId: number, day: string): Promise<number[]> =>
  (await servicesOn(db, contractId, day)).map((s) => s.monthly_fee_kopecks);

/**
 * The sum of the monthly fees of the services in force on a day of the contract `c` of the outer query, as a
 * subquery to select (`contracts as c` must be in the outer query). PostgreSQL's sum is a numeric: Number() it.
 */
export const servicesFeeOn = (db: Db | Trx, day: string) =>
  servicesInForce(db, day).whereRaw('cs.contract_id = c.id').select(db.raw('coalesce(sum(s.monthly_fee_kopecks), 0)'));

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
