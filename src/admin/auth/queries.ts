// Every knex call of the staff sign-in: the account as the guard needs it on every console request.
import type { Db, Trx } from '../../db';

export type SignedInStaff = { id: number; login: string; name: string; role: string; active: boolean | number; password_changed_at: string | null };

export const staffForSignIn = (db: Db | Trx, login: string) =>
  db('staff').where({ login }).first<{ id: number; password_hash: string; active: boolean | number } | undefined>('id', 'password_hash', 'active');

export const staffById = (db: Db | Trx, id: number) =>
  db('staff').where({ id }).first<SignedInStaff | undefined>('id', 'login', 'name', 'role', 'active', 'password_changed_at');

export const staffPasswordHash = async (db: Db | Trx, id: number): Promise<string | null> =>
  ((await db('staff').where({ id }).first<{ password_hash: string } | undefined>('password_hash'))?.password_hash ?? null);

export const markSignedIn = (db: Db | Trx, id: number, at: string) => db('staff').where({ id }).update({ last_sign_in_at: at });

export const setOwnPassword = (db: Db | Trx, id: number, hash: string, at: string) =>
  db('staff').where({ id }).update({ password_hash: hash, password_changed_at: at });
