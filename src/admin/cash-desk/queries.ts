// Every knex call of the cash desk: the contract as the cashier sees it, the office payments and corrections, and
// what the shift report reads (by staff member and time; indexes from migrations/20261203140000_cash_desk.ts).
import type { Db, Trx } from '../../db';

export type DeskContract = { id: number; number: string; name: string; address: string; status: string; balance_kopecks: number; closed_on: string | null };
const CONTRACT_COLUMNS = ['id', 'number', 'name', 'address', 'status', 'balance_kopecks', 'closed_on'];

export const contractByNumber = (db: Db | Trx, number: string) => db('contracts').where({ number }).first<DeskContract | undefined>(CONTRACT_COLUMNS);
export const contractById = (db: Db | Trx, id: number) => db('contracts').where({ id }).first<DeskContract | undefined>(CONTRACT_COLUMNS);

export type OfficePaymentRow = {
  contract_id: number; amount_kopecks: number; method: string; status: string; ledger_entry_id: number;
  idempotency_key: string; created_at: string; settled_at: string; receipt_number: string; staff_id: number;
};

export const insertOfficePayment = async (trx: Trx, row: OfficePaymentRow): Promise<number> => {
  const [{ id }] = (await trx('payments').insert(row).returning('id')) as { id: number }[];
  return Number(id);
};

export const paymentIdByLedgerEntry = async (db: Db | Trx, entryId: number): Promise<number | undefined> => {
  const row = await db('payments').where({ ledger_entry_id: entryId }).first<{ id: number } | undefined>('id');
  return row?.id;
};

export type ShownPayment = {
  id: number; contract_id: number; number: string; amount_kopecks: number; method: string; receipt_number: string;
  created_at: string; staff_name: string; balance_kopecks: number;
};

/** An office payment (taken at the cash desk: by a staff member, cash or card) with its contract's number and balance now. */
export const officePayment = (db: Db, id: number, methods: readonly string[]) =>
  db('payments as p')
    .join('contracts as c', 'c.id', 'p.contract_id')
    .join('staff as s', 's.id', 'p.staff_id')
    .where('p.id', id)
    .whereIn('p.method', methods as string[])
    .first<ShownPayment | undefined>('p.id', 'p.contract_id', 'c.number', 'p.amount_kopecks', 'p.method', 'p.receipt_number', 'p.created_at', 's.name as staff_name', 'c.balance_kopecks');

export type CorrectionRow = {
  contract_id: number; ledger_entry_id: number; staff_id: number; amount_kopecks: number; reason: string;
  balance_before_kopecks: number; balance_after_kopecks: number; created_at: string;
};

export const insertCorrection = async (trx: Trx, row: CorrectionRow): Promise<number> => {
  const [{ id }] = (await trx('corrections').insert(row).returning('id')) as { id: number }[];
  return Number(id);
};

export const correctionIdByLedgerEntry = async (db: Db | Trx, entryId: number): Promise<number | undefined> => {
  const row = await db('corrections').where({ ledger_entry_id: entryId }).first<{ id: number } | undefined>('id');
  return row?.id;
};

export type ShownCorrection = CorrectionRow & { id: number; number: string; staff_name: string };

export const correction = (db: Db, id: number) =>
  db('corrections as k')
    .join('contracts as c', 'c.id', 'k.contract_id')
    .join('staff as s', 's.id', 'k.staff_id')
    .where('k.id', id)
    .first<ShownCorrection | undefined>('k.*', 'c.number', 's.name as staff_name');

export type ShiftPayment = { id: number; contract_id: number; number: string; amount_kopecks: number; method: string; receipt_number: string; created_at: string };

/** The office payments a staff member took in [fromIso, toIso), in the order taken. */
export const shiftPayments = (db: Db, staffId: number, methods: readonly string[], fromIso: string, toIso: string) =>
  db('payments as p')
    .join('contracts as c', 'c.id', 'p.contract_id')
    .where('p.staff_id', staffId)
    .where('p.status', 'succeeded')
    .whereIn('p.method', methods as string[])
    .where('p.created_at', '>=', fromIso)
    .where('p.created_at', '<', toIso)
    .orderBy([{ column: 'p.created_at' }, { column: 'p.id' }])
    .select<ShiftPayment[]>('p.id', 'p.contract_id', 'c.number', 'p.amount_kopecks', 'p.method', 'p.receipt_number', 'p.created_at');

export type ShiftCorrection = { id: number; contract_id: number; number: string; amount_kopecks: number; reason: string; created_at: string };

export const shiftCorrections = (db: Db, staffId: number, fromIso: string, toIso: string) =>
  db('corrections as k')
    .join('contracts as c', 'c.id', 'k.contract_id')
    .where('k.staff_id', staffId)
    .where('k.created_at', '>=', fromIso)
    .where('k.created_at', '<', toIso)
    .orderBy([{ column: 'k.created_at' }, { column: 'k.id' }])
    .select<ShiftCorrection[]>('k.id', 'k.contract_id', 'c.number', 'k.amount_kopecks', 'k.reason', 'k.created_at');

export type DeskStaff = { id: number; name: string; login: string; role: string };

/** The staff who may take payments (admins and cashiers, disabled ones too: their past shifts stay readable). */
export const deskStaff = (db: Db, roles: readonly string[]) =>
  db('staff').whereIn('role', roles as string[]).orderBy([{ column: 'name' }, { column: 'id' }]).select<DeskStaff[]>('id', 'name', 'login', 'role');
