// Every knex call of staff accounts (the console's sign-in comes with issue 11; today the CLI makes and mends them).
import type { Db, Trx } from '../db';

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
