// Every knex call of staff accounts (the console's sign-in comes with issue 11; today the CLI makes and mends them).
import { forUpdate, type Db, type Trx } from '../db';

export type StaffRow = { id: number; login: string; name: string; role: string; active: boolean | number };

export const staffByLogin = (db: Db | Trx, login: string) =>
  db('staff').where({ login }).first<StaffRow | undefined>('id', 'login', 'name', 'role', 'active');

export async function insertStaff(db: Db | Trx, row: { login: string; name: string; role: string; password_hash: string; created_at: string }): Promise<number> {
  const [{ id }] = (await db('staff').insert({ ...row, active: true }).returning('id')) as { id: number }[];
  return id;
}

export const setStaffPassword = (db: Db | Trx, id: number, passwordHash: string): Promise<number> =>
  db('staff').where({ id }).update({ password_hash: passwordHash });

export const countStaff = async (db: Db | Trx): Promise<number> => Number((await db('staff').count({ n: '*' }).first())?.n ?? 0);

export type StaffListRow = StaffRow & { last_sign_in_at: string | null; disabled_at: string | null; created_at: string };

export const listStaff = (db: Db | Trx): Promise<StaffListRow[]> =>
  db('staff').orderBy([{ column: 'active', order: 'desc' }, { column: 'login' }]).select('id', 'login', 'name', 'role', 'active', 'last_sign_in_at', 'disabled_at', 'created_at');

/** One account inside a rule's transaction: locked until the commit (forUpdate on PostgreSQL). */
export const staffForRule = (db: Db | Trx, id: number) =>
  forUpdate(db('staff').where({ id })).first<StaffRow | undefined>('id', 'login', 'name', 'role', 'active');

/** The active admins, locked: the last-admin rule decides on them. */
export const activeAdminIds = async (db: Db | Trx): Promise<number[]> =>
  (await forUpdate(db('staff').where({ role: 'admin' }).where('active', true).orderBy('id')).select<{ id: number }[]>('id')).map((r) => r.id);

export const setStaffActive = (db: Db | Trx, id: number, active: boolean, at: string): Promise<number> =>
  db('staff').where({ id }).update({ active, disabled_at: active ? null : at });

export const setStaffRole = (db: Db | Trx, id: number, role: string): Promise<number> => db('staff').where({ id }).update({ role });

/** A new password set by someone else: the account's sessions signed in before `at` end (src/admin/session.ts). */
export const resetStaffPasswordHash = (db: Db | Trx, id: number, passwordHash: string, at: string): Promise<number> =>
  db('staff').where({ id }).update({ password_hash: passwordHash, password_changed_at: at });

export const staffNames = (db: Db | Trx): Promise<{ id: number; login: string; name: string }[]> =>
  db('staff').orderBy('login').select('id', 'login', 'name');
