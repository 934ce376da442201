import { forUpdate, hotGet, type Db, type Trx } from '../db';

export type PromisedRow = {
  id: number; contract_id: number; amount_kopecks: number; taken_at: string; due_at: string;
  status: 'open' | 'repaid'; repaid_late: number | boolean; settled_at: string | null; credit_entry_id: number | null;
};

const byContract = (db: Db | Trx, contractId: number) => db('promised_payments').where({ contract_id: contractId });

export const findLatest = (db: Db | Trx, contractId: number) =>
  byContract(db, contractId).orderBy([{ column: 'taken_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first<PromisedRow | undefined>();

export const listForContract = (db: Db | Trx, contractId: number, limit: number) =>
  byContract(db, contractId).orderBy([{ column: 'taken_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit).select<PromisedRow[]>('*');

/** One promised payment of this contract: another contract's id is simply not found. */
export const findOwn = (db: Db | Trx, contractId: number, id: number) => byContract(db, contractId).where({ id }).first<PromisedRow | undefined>();

/** The promised payment a confirm request (its ledger key) already made, if any. */
export const findByCreditKey = (db: Db | Trx, contractId: number, key: string) =>
  db('promised_payments as p')
    .join('ledger_entries as e', 'e.id', 'p.credit_entry_id')
    .where({ 'p.contract_id': contractId, 'e.idempotency_key': key })
    .first<{ id: number } | undefined>('p.id');

/** The contract's open promised payment (at most one), for the dashboard: on every dashboard and balance refresh,
 * so a prepared statement (hotGet), where knex's query building cost several times the query. */
export const findOpen = (db: Db, contractId: number) =>
  hotGet<Pick<PromisedRow, 'id' | 'amount_kopecks' | 'due_at'>>(db, "select id, amount_kopecks, due_at from promised_payments where contract_id = ? and status = 'open' limit 1", [contractId]);

/** A promised payment by id, its row locked until the commit (the expiry job decides on its status). */
export const findByIdForUpdate = (trx: Trx, id: number) => forUpdate(trx('promised_payments').where({ id }).first<PromisedRow | undefined>());

export const insertPromised = async (
  trx: Trx,
  row: { contract_id: number; amount_kopecks: number; taken_at: string; due_at: string; credit_entry_id: number },
): Promise<number> => {
  const [{ id }] = (await trx('promised_payments').insert({ ...row, status: 'open', repaid_late: false }).returning('id')) as { id: number }[];
  return id;
};

export const markRepaid = (trx: Trx, id: number, u: { settled_at: string; repayment_entry_id: number; repaid_late: boolean }) =>
  trx('promised_payments').where({ id, status: 'open' }).update({ ...u, status: 'repaid' });
