// Every knex call of bank registers.
import { forUpdate, type Db, type Trx } from '../../db';

export type RegisterRow = {
  id: number; file_name: string; format: string; encoding: string; sha256: string; uploaded_by: number; uploaded_at: string;
  applied_at: string | null; applied_by: number | null; rows_count: number; paid_count: number; duplicate_count: number;
  unmatched_count: number; paid_kopecks: number;
};
export type RegisterListRow = RegisterRow & { uploaded_by_name: string | null; applied_by_name: string | null };
export type RowStatus = 'matched' | 'duplicate' | 'problem' | 'paid' | 'unmatched' | 'assigned' | 'returned';
export type BankRegisterRow = {
  id: number; register_id: number; line: number; doc_number: string; doc_date: string | null; date_text: string;
  amount_kopecks: number | null; amount_text: string; payer_account: string; payer_name: string; purpose: string;
  contract_number: string | null; contract_id: number | null; status: RowStatus; reason: string | null; payment_key: string;
  payment_id: number | null; handled_by: number | null; handled_at: string | null; note: string | null;
};
export type NewBankRegisterRow = Omit<BankRegisterRow, 'id' | 'register_id' | 'payment_id' | 'handled_by' | 'handled_at' | 'note'>;
export type RowWithContract = BankRegisterRow & { contract_name: string | null; contract_no: string | null };

/** Statuses of rows that stand for a bank document already taken in (paid, waiting, or settled by hand). */
export const TAKEN: RowStatus[] = ['paid', 'unmatched', 'assigned', 'returned'];

export const listRegisters = (db: Db, limit: number) =>
  db('bank_registers as r')
    .leftJoin('staff as u', 'u.id', 'r.uploaded_by')
    .leftJoin('staff as a', 'a.id', 'r.applied_by')
    .select<RegisterListRow[]>('r.*', 'u.name as uploaded_by_name', 'a.name as applied_by_name')
    .orderBy([{ column: 'r.uploaded_at', order: 'desc' }, { column: 'r.id', order: 'desc' }])
    .limit(limit);

export const registerById = (db: Db | Trx, id: number) =>
  db('bank_registers as r')
    .leftJoin('staff as u', 'u.id', 'r.uploaded_by')
    .leftJoin('staff as a', 'a.id', 'r.applied_by')
    .where('r.id', id)
    .first<RegisterListRow | undefined>('r.*', 'u.name as uploaded_by_name', 'a.name as applied_by_name');

export const earlierUploadOf = (db: Db | Trx, sha256: string, exceptId: number) =>
  db('bank_registers').where({ sha256 }).whereNot({ id: exceptId }).orderBy('id').first<{ id: number; applied_at: string | null } | undefined>('id', 'applied_at');

export const rowsOfRegister = (db: Db | Trx, registerId: number) =>
  db('bank_register_rows as b')
    .leftJoin('contracts as c', 'c.id', 'b.contract_id')
    .where('b.register_id', registerId)
    .select<RowWithContract[]>('b.*', 'c.name as contract_name', 'c.number as contract_no')
    .orderBy([{ column: 'b.line', order: 'asc' }, { column: 'b.id', order: 'asc' }]);

export const contractsByNumbers = async (db: Db | Trx, numbers: string[]) =>
  numbers.length ? db('contracts').whereIn('number', numbers).select<{ id: number; number: string; name: string }[]>('id', 'number', 'name') : [];

export const contractByNumber = (db: Db | Trx, number: string) =>
  db('contracts').where({ number }).first<{ id: number; number: string; name: string } | undefined>('id', 'number', 'name');

/** Of these keys, those of bank documents taken in before (by an applied register) or paid by any path. */
export async function keysTakenBefore(db: Db | Trx, keys: string[], exceptRegisterId: number | null): Promise<Set<string>> {
  const taken = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const q = db('bank_register_rows').whereIn('payment_key', chunk).whereIn('status', TAKEN);
    if (exceptRegisterId !== null) q.whereNot('register_id', exceptRegisterId);
    for (const r of await q.select<{ payment_key: string }[]>('payment_key')) taken.add(r.payment_key);
    for (const r of await db('ledger_entries').whereIn('idempotency_key', chunk).select<{ idempotency_key: string }[]>('idempotency_key')) {
      taken.add(r.idempotency_key);
    }
  }
  return taken;
}

export async function insertRegister(trx: Trx, row: Omit<RegisterRow, 'id' | 'applied_at' | 'applied_by'>): Promise<number> {
  const [{ id }] = (await trx('bank_registers').insert(row).returning('id')) as { id: number }[];
  return Number(id);
}

export const insertRows = (trx: Trx, registerId: number, rows: NewBankRegisterRow[]) =>
  trx.batchInsert('bank_register_rows', rows.map((r) => ({ ...r, register_id: registerId })), 200).transacting(trx);

/** The one «Провести» that wins: marks the register applied unless it already is. */
export const claimRegister = async (trx: Trx, id: number, at: string, by: number): Promise<boolean> =>
  Number(await trx('bank_registers').where({ id }).whereNull('applied_at').update({ applied_at: at, applied_by: by })) === 1;

export const setRegisterCounts = (trx: Trx, id: number, c: { paid_count: number; duplicate_count: number; unmatched_count: number; paid_kopecks: number }) =>
  trx('bank_registers').where({ id }).update(c);

export const updateRow = (trx: Trx, id: number, change: Partial<BankRegisterRow>) => trx('bank_register_rows').where({ id }).update(change);

/** A waiting row, locked while it is assigned or returned. */
export const lockUnmatchedRow = (trx: Trx, id: number) =>
  forUpdate(trx('bank_register_rows').where({ id, status: 'unmatched' })).first<BankRegisterRow | undefined>();

export const rowById = (db: Db | Trx, id: number) => db('bank_register_rows').where({ id }).first<BankRegisterRow | undefined>();

export type UnmatchedRow = BankRegisterRow & { file_name: string; uploaded_at: string };
export const unmatchedRows = (db: Db, limit: number) =>
  db('bank_register_rows as b')
    .join('bank_registers as r', 'r.id', 'b.register_id')
    .where('b.status', 'unmatched')
    .select<UnmatchedRow[]>('b.*', 'r.file_name', 'r.uploaded_at')
    .orderBy([{ column: 'b.register_id', order: 'asc' }, { column: 'b.line', order: 'asc' }])
    .limit(limit);

export const countUnmatched = async (db: Db) => Number((await db('bank_register_rows').where({ status: 'unmatched' }).count({ n: '*' }).first())?.n ?? 0);

export async function insertBankPayment(trx: Trx, row: { contract_id: number; amount_kopecks: number; ledger_entry_id: number; idempotency_key: string; created_at: string }): Promise<number> {
  const [{ id }] = (await trx('payments').insert({ ...row, method: 'bank', status: 'succeeded', settled_at: row.created_at }).returning('id')) as { id: number }[];
  return Number(id);
}

/** The provider's own bank account (provider_bank_details), to tell incoming payments from outgoing ones; null when unset. */
export const providerAccount = async (db: Db | Trx): Promise<string | null> =>
  ((await db('provider_bank_details').orderBy('id').first<{ account: string } | undefined>('account'))?.account ?? null);
