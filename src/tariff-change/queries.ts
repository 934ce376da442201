import { forUpdate, type Db, type Trx } from '../db';

type Q = Db | Trx;

/** What a change needs of the contract beside its money and status (those come from billing's contractMoney). */
export type ContractDetails = { number: string; town_id: number; tariff_name: string; segment: string };

export type TariffRow = {
  id: number; name: string; segment: string; archived: number | boolean; monthly_fee_kopecks: number;
  internet_mbps: number | null; tv_package: string | null; tv_channels: number | null;
};

export type ChangeStatus = 'scheduled' | 'applied' | 'cancelled';
export type ChangeRow = {
  id: number; contract_id: number; from_tariff_id: number; to_tariff_id: number; effective_day: string; status: ChangeStatus;
  created_at: string; settled_at: string | null; cancel_reason: string | null; request_key: string | null;
  to_name: string; to_fee: number; from_name: string; from_fee: number;
};

const TARIFF_COLUMNS = ['t.id', 't.name', 't.segment', 't.archived', 't.monthly_fee_kopecks', 't.internet_mbps', 't.tv_package', 't.tv_channels'];

export const findContractDetails = (db: Q, contractId: number) =>
  db('contracts as c')
    .join('tariffs as t', 't.id', 'c.tariff_id')
    .where('c.id', contractId)
    .first<ContractDetails | undefined>('c.number', 'c.town_id', 't.name as tariff_name', 't.segment');

/** A tariff by id, and whether it is sold in the town. */
export async function findTariff(db: Q, tariffId: number, townId: number): Promise<(TariffRow & { in_town: boolean }) | undefined> {
  const row = await db('tariffs as t').where('t.id', tariffId).first<TariffRow | undefined>(TARIFF_COLUMNS);
  if (!row) return undefined;
  const inTown = await db('tariff_towns').where({ tariff_id: tariffId, town_id: townId }).first();
  return { ...row, in_town: Boolean(inTown) };
}

/** The tariffs a contract may take: sold in its town, of its segment, not archived, not the current one. */
export const listOffered = (db: Q, c: { town_id: number; segment: string; tariff_id: number }) =>
  db('tariffs as t')
    .join('tariff_towns as tt', 'tt.tariff_id', 't.id')
    .where({ 'tt.town_id': c.town_id, 't.segment': c.segment, 't.archived': false })
    .whereNot('t.id', c.tariff_id)
    .orderBy([{ column: 't.position' }, { column: 't.id' }])
    .select<TariffRow[]>(TARIFF_COLUMNS);

/** Whether the contract was on a voluntary block at any moment since the instant (it is paused now, or left it since). */
export async function wasPausedSince(db: Q, contractId: number, sinceIso: string): Promise<boolean> {
  const row = await db('contract_status_changes')
    .where('contract_id', contractId)
    .where('at', '>=', sinceIso)
    .where((w) => w.where('from_status', 'paused').orWhere('to_status', 'paused'))
    .first('id');
  return Boolean(row);
}

function changes(db: Q) {
  return db('tariff_changes as tc')
    .join('tariffs as tt', 'tt.id', 'tc.to_tariff_id')
    .join('tariffs as tf', 'tf.id', 'tc.from_tariff_id')
    .select('tc.*', 'tt.name as to_name', 'tt.monthly_fee_kopecks as to_fee', 'tf.name as from_name', 'tf.monthly_fee_kopecks as from_fee');
}

/** A change of this contract: another contract's id is simply not found. */
export const findChange = (db: Q, contractId: number, id: number) =>
  changes(db).where({ 'tc.id': id, 'tc.contract_id': contractId }).first<ChangeRow | undefined>();

export const findChangeById = (db: Q, id: number) => changes(db).where('tc.id', id).first<ChangeRow | undefined>();

/** Locks a change's own row until the commit (the job decides on its status; the tariffs it joins stay unlocked). */
export const lockChange = (trx: Trx, id: number) => forUpdate(trx('tariff_changes').where({ id }).first<{ id: number } | undefined>('id'));

export const findScheduled = (db: Q, contractId: number) =>
  changes(db).where({ 'tc.contract_id': contractId, 'tc.status': 'scheduled' }).first<ChangeRow | undefined>();

export const findLatest = (db: Q, contractId: number) =>
  changes(db).where('tc.contract_id', contractId).orderBy('tc.id', 'desc').first<ChangeRow | undefined>();

export const findByRequestKey = (db: Q, contractId: number, key: string) =>
  db('tariff_changes').where({ contract_id: contractId, request_key: key }).first<{ id: number } | undefined>('id');

export async function insertChange(
  trx: Trx,
  row: { contract_id: number; from_tariff_id: number; to_tariff_id: number; effective_day: string; status: ChangeStatus; created_at: string; settled_at: string | null; request_key: string },
): Promise<number> {
  const [{ id }] = (await trx('tariff_changes').insert(row).returning('id')) as { id: number }[];
  return id;
}

/** Settles a scheduled change (applied or cancelled); false when it was no longer scheduled. */
export async function settleScheduled(trx: Trx, id: number, u: { status: 'applied' | 'cancelled'; at: string; reason?: string }): Promise<boolean> {
  const n = await trx('tariff_changes').where({ id, status: 'scheduled' }).update({ status: u.status, settled_at: u.at, cancel_reason: u.reason ?? null });
  return n === 1;
}

export const setContractTariff = (trx: Trx, contractId: number, tariffId: number, at: string) =>
  trx('contracts').where({ id: contractId }).update({ tariff_id: tariffId, updated_at: at });

/** The ledger entries a change wrote (their keys start with its own prefix). */
export const entriesOfChange = (db: Q, contractId: number, id: number) =>
  db('ledger_entries')
    .where('contract_id', contractId)
    .where('idempotency_key', 'like', `tariff_change:${id}:%`)
    .orderBy('id')
    .select<{ kind: string; amount_kopecks: number; period_from: string | null }[]>('kind', 'amount_kopecks', 'period_from');
