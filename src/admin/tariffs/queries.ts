// Every knex call of the console's tariffs: the list with contracts on each, the tariff's towns, price changes.
import { forUpdate, type Db, type Trx } from '../../db';

export type TariffFields = {
  name: string; code: string; segment: string; internet_mbps: number | null; tv_package: string | null; tv_channels: number | null; position: number;
};
export type TariffRow = TariffFields & { id: number; monthly_fee_kopecks: number; archived: boolean | number };
export type TariffListRow = TariffRow & { contracts: number; pending_fee: number | null; pending_from: string | null };
export type PriceChangeRow = {
  id: number; tariff_id: number; fee_kopecks: number; previous_fee_kopecks: number; from_day: string; notice_text: string;
  created_by: number | null; created_at: string; applied_at: string | null; cancelled_at: string | null; created_by_name: string | null;
};

const TARIFF_COLUMNS = ['id', 'code', 'name', 'segment', 'internet_mbps', 'tv_package', 'tv_channels', 'monthly_fee_kopecks', 'archived', 'position'];
/** The contracts a tariff's price concerns: every one on it that is not closed. */
const OPEN_CONTRACT = "c.status <> 'closed'";

export async function listTariffs(db: Db): Promise<TariffListRow[]> {
  const rows = await db('tariffs as t')
    .leftJoin('tariff_price_changes as p', function () {
      this.on('p.tariff_id', 't.id').onNull('p.applied_at').onNull('p.cancelled_at');
    })
    .select(TARIFF_COLUMNS.map((c) => `t.${c}`))
    .select({ pending_fee: 'p.fee_kopecks', pending_from: 'p.from_day' })
    .select(db.raw('(select count(*) from contracts c where c.tariff_id = t.id) as contracts'))
    .orderBy([{ column: 't.archived' }, { column: 't.position' }, { column: 't.id' }]);
  return rows.map((r: TariffListRow) => ({ ...r, contracts: Number(r.contracts) }));
}

export const tariffById = (db: Db | Trx, id: number) => db('tariffs').where({ id }).first<TariffRow | undefined>(TARIFF_COLUMNS);
export const tariffForRule = (db: Db | Trx, id: number) => forUpdate(db('tariffs').where({ id })).first<TariffRow | undefined>(TARIFF_COLUMNS);

export const tariffTownIds = async (db: Db | Trx, tariffId: number): Promise<number[]> =>
  (await db('tariff_towns').where({ tariff_id: tariffId }).orderBy('town_id').select<{ town_id: number }[]>('town_id')).map((r) => r.town_id);

export const allTowns = (db: Db | Trx): Promise<{ id: number; name: string }[]> => db('towns').orderBy([{ column: 'position' }, { column: 'id' }]).select('id', 'name');

export async function insertTariff(db: Trx, row: TariffFields & { monthly_fee_kopecks: number }): Promise<number> {
  const [{ id }] = (await db('tariffs').insert({ ...row, archived: false }).returning('id')) as { id: number }[];
  return id;
}

export const updateTariff = (db: Trx, id: number, row: Partial<TariffFields> & { archived?: boolean }) => db('tariffs').where({ id }).update(row);

export async function setTariffTowns(db: Trx, tariffId: number, townIds: number[]): Promise<void> {
  await db('tariff_towns').where({ tariff_id: tariffId }).del();
  if (townIds.length) await db('tariff_towns').insert(townIds.map((town_id) => ({ tariff_id: tariffId, town_id })));
}

export const codeTaken = async (db: Db | Trx, code: string, exceptId: number | null): Promise<boolean> =>
  Boolean(await db('tariffs').where({ code }).modify((q) => { if (exceptId) q.whereNot({ id: exceptId }); }).first('id'));

export async function countAffected(db: Db | Trx, tariffId: number): Promise<number> {
  const r = await db('contracts as c').where('c.tariff_id', tariffId).whereRaw(OPEN_CONTRACT).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

export const firstAffected = (db: Db | Trx, tariffId: number, limit: number): Promise<{ id: number; number: string; name: string; town: string }[]> =>
  db('contracts as c').join('towns as w', 'w.id', 'c.town_id').where('c.tariff_id', tariffId).whereRaw(OPEN_CONTRACT)
    .orderBy('c.id').limit(limit).select('c.id', 'c.number', 'c.name', { town: 'w.name' });

/** The next batch of a tariff's contracts after `afterId` (the notice job walks them by id). */
export const affectedIdsAfter = async (db: Db | Trx, tariffId: number, afterId: number, limit: number): Promise<number[]> =>
  (await db('contracts as c').where('c.tariff_id', tariffId).whereRaw(OPEN_CONTRACT).where('c.id', '>', afterId).orderBy('c.id').limit(limit).select<{ id: number }[]>('c.id')).map((r) => r.id);

export const priceChangesOf = (db: Db | Trx, tariffId: number): Promise<PriceChangeRow[]> =>
  db('tariff_price_changes as p').leftJoin('staff as s', 's.id', 'p.created_by').where('p.tariff_id', tariffId)
    .orderBy('p.id', 'desc').limit(20).select('p.*', { created_by_name: 's.name' });

export const priceChangeById = (db: Db | Trx, id: number) => db('tariff_price_changes').where({ id }).first<PriceChangeRow | undefined>('*');

export const pendingPriceChange = (db: Db | Trx, tariffId: number) =>
  forUpdate(db('tariff_price_changes').where({ tariff_id: tariffId }).whereNull('applied_at').whereNull('cancelled_at')).first<PriceChangeRow | undefined>('*');

export async function insertPriceChange(db: Trx, row: {
  tariff_id: number; fee_kopecks: number; previous_fee_kopecks: number; from_day: string; notice_text: string; created_by: number; created_at: string;
}): Promise<number> {
  const [{ id }] = (await db('tariff_price_changes').insert(row).returning('id')) as { id: number }[];
  return id;
}

/** Cancels a change that has not applied yet; 0 when it applied (or was cancelled) meanwhile. */
export const cancelPendingChange = (db: Trx, id: number, by: number, at: string): Promise<number> =>
  db('tariff_price_changes').where({ id }).whereNull('applied_at').whereNull('cancelled_at').update({ cancelled_at: at, cancelled_by: by });
