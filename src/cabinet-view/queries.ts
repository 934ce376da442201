// Every knex call of a staff member's read-only view of a subscriber's cabinet: the one-time claims.
import type { Db, Trx } from '../db';

export async function insertView(trx: Trx, row: { staff_id: number; contract_id: number; token_hash: string; created_at: string }): Promise<number> {
  const [{ id }] = await trx('cabinet_views').insert(row).returning('id');
  return id as number;
}

/** Claims an unclaimed token made at or after `notBefore`: one winner, however many requests race (1 or 0 rows). */
export const claimView = (db: Db | Trx, tokenHash: string, notBefore: string, at: string): Promise<number> =>
  db('cabinet_views').where({ token_hash: tokenHash }).whereNull('claimed_at').whereNull('ended_at').where('created_at', '>=', notBefore).update({ claimed_at: at });

/** A view with its staff member and its contract's number, as the guard checks it on every request. */
export const viewWithStaff = (db: Db | Trx, where: { 'v.id': number } | { 'v.token_hash': string }) =>
  db('cabinet_views as v')
    .join('staff as s', 's.id', 'v.staff_id')
    .join('contracts as c', 'c.id', 'v.contract_id')
    .where(where)
    .first<{ id: number; staff_id: number; contract_id: number; number: string; ended_at: string | null; staff_name: string; role: string; active: boolean | number } | undefined>(
      'v.id', 'v.staff_id', 'v.contract_id', 'c.number', 'v.ended_at', 's.name as staff_name', 's.role', 's.active',
    );

export const endView = (db: Db | Trx, id: number, at: string): Promise<number> =>
  db('cabinet_views').where({ id }).whereNull('ended_at').update({ ended_at: at });

export const contractExists = async (db: Db | Trx, id: number) => Boolean(await db('contracts').where({ id }).first('id'));
