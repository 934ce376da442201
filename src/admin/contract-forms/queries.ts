// Every knex call of the contract forms: towns and the tariffs sold there, the next contract number, the contract's
// row and phones, its password and sessions.
import { byEngine, rawRows, type Db, type Trx } from '../../db';
import { deleteContractSessions } from '../../web/queries';

type Q = Db | Trx;

export const listTowns = (db: Q) => db('towns').orderBy([{ column: 'position' }, { column: 'id' }]).select<{ id: number; name: string }[]>('id', 'name');

/** Every non-archived tariff with each town it is sold in (one row per pair), in the catalogue's order. */
export const listSellable = (db: Q) =>
  db('tariffs as t').join('tariff_towns as tt', 'tt.tariff_id', 't.id').where('t.archived', false)
    .orderBy([{ column: 't.position' }, { column: 't.id' }])
    .select<{ id: number; name: string; monthly_fee_kopecks: number; town_id: number }[]>('t.id', 't.name', 't.monthly_fee_kopecks', 'tt.town_id');

export const findTariff = (db: Q, id: number) =>
  db('tariffs').where({ id }).first<{ id: number; name: string; archived: number | boolean } | undefined>('id', 'name', 'archived');

export const townExists = async (db: Q, id: number) => Boolean(await db('towns').where({ id }).first('id'));

export const isSoldIn = async (db: Q, tariffId: number, townId: number) =>
  Boolean(await db('tariff_towns').where({ tariff_id: tariffId, town_id: townId }).first('tariff_id'));

/** The largest contract number made of digits only (an imported «A-17» is not counted), or 0. */
export async function maxNumericNumber(db: Q): Promise<number> {
  const sql = byEngine(db, {
    sqlite: "select max(cast(number as integer)) as n from contracts where number <> '' and number not glob '*[^0-9]*'",
    postgres: "select max(number::bigint) as n from contracts where number ~ '^[0-9]+$'",
  });
  const [row] = await rawRows<{ n: number | string | null }>(db, sql);
  return Number(row?.n ?? 0);
}

export type NewContractRow = {
  number: string; name: string; town_id: number; address: string; email: string | null; password_hash: string;
  tariff_id: number; start_day: string; created_at: string;
};

export async function insertContract(trx: Trx, row: NewContractRow): Promise<number> {
  const [{ id }] = await trx('contracts')
    .insert({ ...row, status: 'active', balance_kopecks: 0, credit_limit_kopecks: 0, updated_at: row.created_at })
    .returning('id');
  return id as number;
}

export type ContractRow = { id: number; number: string; name: string; town_id: number; town_name: string; address: string; email: string | null; tariff_id: number };

export const findContract = (db: Q, id: number) =>
  db('contracts as c').join('towns as w', 'w.id', 'c.town_id').where('c.id', id)
    .first<ContractRow | undefined>('c.id', 'c.number', 'c.name', 'c.town_id', 'w.name as town_name', 'c.address', 'c.email', 'c.tariff_id');

export const phonesOf = async (db: Q, contractId: number): Promise<string[]> =>
  (await db('contract_phones').where({ contract_id: contractId }).orderBy('id').select<{ phone: string }[]>('phone')).map((r) => r.phone);

export const updateContract = (trx: Trx, id: number, fields: Record<string, unknown>, at: string) =>
  trx('contracts').where({ id }).update({ ...fields, updated_at: at });

/** The contract's phones become exactly `phones`: the ones dropped are deleted, the new ones added. */
export async function setPhones(trx: Trx, contractId: number, phones: string[], at: string): Promise<void> {
  await trx('contract_phones').where({ contract_id: contractId }).whereNotIn('phone', phones.length ? phones : ['']).delete();
  const kept = new Set(await phonesOf(trx, contractId));
  const added = phones.filter((p) => !kept.has(p));
  if (added.length) await trx('contract_phones').insert(added.map((phone) => ({ contract_id: contractId, phone, created_at: at })));
}

export const setPasswordHash = (trx: Trx, id: number, hash: string, at: string) => trx('contracts').where({ id }).update({ password_hash: hash, updated_at: at });

/** Every session of the contract ends (the subscriber signs in again with the new password). */
export const endSessions = (trx: Trx, contractId: number) => deleteContractSessions(trx, contractId);
