// Every knex call of `kabinet import-contracts`.
import type { Db, Trx } from '../db';

export const towns = (db: Db | Trx) => db('towns').select<{ id: number; name: string }[]>('id', 'name');
export const tariffs = (db: Db | Trx) => db('tariffs').select<{ id: number; code: string; name: string }[]>('id', 'code', 'name');

/** Which of these contract numbers the database has already. */
export async function existingNumbers(db: Db | Trx, numbers: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < numbers.length; i += 500) {
    for (const r of await db('contracts').whereIn('number', numbers.slice(i, i + 500)).select<{ number: string }[]>('number')) found.add(r.number);
  }
  return found;
}

export type NewContract = {
  number: string; name: string; town_id: number; address: string; email: string | null; password_hash: string;
  tariff_id: number; created_at: string; updated_at: string;
};

export async function insertContract(trx: Trx, c: NewContract): Promise<number> {
  const [{ id }] = (await trx('contracts').insert({ ...c, status: 'active', balance_kopecks: 0 }).returning('id')) as { id: number }[];
  return id;
}

export const insertPhone = (trx: Trx, contractId: number, phone: string, at: string) => trx('contract_phones').insert({ contract_id: contractId, phone, created_at: at });
