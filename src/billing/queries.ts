import { forUpdate, rawRows, type Db, type Trx } from '../db';

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

/** closed: charged through its closed_on day (the closing charges what is left of it at once), never after. */
export type ContractStatus = 'active' | 'blocked' | 'paused' | 'closed';
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

/** The contract is closed: its last day of service and why (the status itself is set by setStatus). */
export const markClosed = (trx: Trx, contractId: number, closedOn: string, reason: string, at: string) =>
  trx('contracts').where({ id: contractId }).update({ closed_on: closedOn, closed_reason: reason, updated_at: at });

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

// The daily charge run's statements (src/billing/charges.ts). Raw, not knex: 100 000 contracts a day must take
// seconds. SQLite prepares CHARGE_RUN_SQL on a raw connection and runs it row by row inside one BEGIN IMMEDIATE;
// PostgreSQL claims the day, reads the candidates FOR UPDATE and writes JSON batches (the functions below).

/** A contract the day charges, with what its charge depends on. */
export type ChargeCandidate = { id: number; status: string; balance_kopecks: number; credit_limit_kopecks: number; fee: number; services_fee: number };

/** The candidates statement's parameters, in order. */
export const candidateParams = (day: string, dayEnd: string, pausedFee: number) => [day, day, dayEnd, day, pausedFee, day, day];

export const CHARGE_RUN_SQL = {
  // The services in force on the day as in servicesInForce above (from_day <= day, no to_day or to_day >= day).
  candidates: `select c.id, c.status, c.balance_kopecks, c.credit_limit_kopecks, t.monthly_fee_kopecks as fee,
     (select coalesce(sum(s.monthly_fee_kopecks), 0) from contract_services cs join services s on s.id = cs.service_id
       where cs.contract_id = c.id and cs.from_day <= ? and (cs.to_day is null or cs.to_day >= ?)) as services_fee
   from contracts c join tariffs t on t.id = c.tariff_id
   where c.created_at < ? and (c.start_day is null or c.start_day <= ?) -- not before the contract's first day of service
     and (c.status = 'active' or (c.status = 'paused' and ? > 0))
     -- a day some charge already covers (an unblocking's, the seed's monthly one, an import) is not taken again
     and not exists (select 1 from ledger_entries l where l.contract_id = c.id and l.kind = 'charge' and l.period_to >= ? and l.period_from <= ?)`,
  insertCharge: `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
     values (?, 'charge', ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing`,
  addBalance: 'update contracts set balance_kopecks = balance_kopecks + ?, updated_at = ? where id = ?',
  block: `update contracts set status = 'blocked', updated_at = ? where id = ?`,
  statusChange: `insert into contract_status_changes (contract_id, from_status, to_status, cause, ledger_entry_id, at) values (?, 'active', 'blocked', 'balance_below_limit', ?, ?)`,
  // «Изменение цены» (tariff_price_changes): first thing in the transaction of the day a change starts from, the
  // tariff takes its new fee and the change is marked applied, so the days before were charged at the old fee (days
  // run in order) and this day on at the new one. Parameters: day, day / at, day.
  applyPrices: `update tariffs set monthly_fee_kopecks = (select p.fee_kopecks from tariff_price_changes p
       where p.tariff_id = tariffs.id and p.applied_at is null and p.cancelled_at is null and p.from_day <= ?
       order by p.from_day desc, p.id desc limit 1)
     where id in (select tariff_id from tariff_price_changes where applied_at is null and cancelled_at is null and from_day <= ?)`,
  markPricesApplied: 'update tariff_price_changes set applied_at = ? where applied_at is null and cancelled_at is null and from_day <= ?',
  isDayDone: 'select 1 from charge_days where day = ?',
  markDay: 'insert into charge_days (day, contracts_charged, total_kopecks, finished_at) values (?, ?, ?, ?)',
} as const;

/** PostgreSQL: takes the day (false: another transaction has done it, or did it while this one waited). */
export const claimChargeDay = async (trx: Trx, day: string, at: string): Promise<boolean> =>
  (await rawRows(trx, 'insert into charge_days (day, contracts_charged, total_kopecks, finished_at) values (?, 0, 0, ?) on conflict (day) do nothing returning day', [day, at])).length > 0;

/** PostgreSQL: the price changes that start on or before the day take effect (CHARGE_RUN_SQL.applyPrices). */
export async function applyPriceChanges(trx: Trx, day: string, at: string): Promise<void> {
  await trx.raw(CHARGE_RUN_SQL.applyPrices, [day, day]);
  await trx.raw(CHARGE_RUN_SQL.markPricesApplied, [at, day]);
}

/** PostgreSQL: the candidates, each contract's row locked until the day commits. */
export const lockedChargeCandidates = (trx: Trx, params: unknown[]) =>
  rawRows<ChargeCandidate>(trx, `${CHARGE_RUN_SQL.candidates} order by c.id for update of c`, params as never[]);

/** PostgreSQL: a batch of the day's charges; returns the entries written (a key already there is skipped). */
export const insertChargesBatch = (trx: Trx, b: { day: string; at: string; entries: { contract_id: number; amount: number; description: string; key: string }[] }) =>
  rawRows<{ id: number; contract_id: number }>(
    trx,
    `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
     select u.contract_id, 'charge', u.amount, u.description, ?, ?, u.key, ?
       from json_to_recordset(?::json) as u(contract_id integer, amount integer, description text, key text)
     on conflict (idempotency_key) do nothing returning id, contract_id`,
    [b.day, b.day, b.at, JSON.stringify(b.entries)],
  );

/** PostgreSQL: the batch's balances down by their charges, and blocked where the charge took them below the limit. */
export async function applyChargesBatch(trx: Trx, at: string, rows: { id: number; amount: number; blocks: boolean }[]): Promise<void> {
  await trx.raw(
    `update contracts c set balance_kopecks = c.balance_kopecks - u.amount, updated_at = ?,
       status = case when u.blocks then 'blocked' else c.status end
     from json_to_recordset(?::json) as u(id integer, amount integer, blocks boolean) where c.id = u.id`,
    [at, JSON.stringify(rows)],
  );
}

/** PostgreSQL: the status changes of the batch's blocks, each pointing at the charge that caused it. */
export async function insertBlocksBatch(trx: Trx, at: string, rows: { contract_id: number; entry_id: number }[]): Promise<void> {
  await trx.raw(
    `insert into contract_status_changes (contract_id, from_status, to_status, cause, ledger_entry_id, at)
     select u.contract_id, 'active', 'blocked', 'balance_below_limit', u.entry_id, ?
       from json_to_recordset(?::json) as u(contract_id integer, entry_id integer)`,
    [at, JSON.stringify(rows)],
  );
}

/** PostgreSQL: the claimed day's row gets its totals. */
export async function finishChargeDay(trx: Trx, row: { day: string; contracts_charged: number; total_kopecks: number; finished_at: string }): Promise<void> {
  await trx('charge_days').where({ day: row.day }).update({ contracts_charged: row.contracts_charged, total_kopecks: row.total_kopecks, finished_at: row.finished_at });
}
