import type { Db, Trx } from '../db';
import type { ContractStatus } from '../billing/service';

type Q = Db | Trx;

export type ChangeContract = {
  id: number; number: string; status: ContractStatus; balance_kopecks: number; town_id: number;
  tariff_id: number; tariff_name: string; fee: number; segment: string;
};

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

export const findContract = (db: Q, contractId: number) =>
  db('contracts as c')
    .join('tariffs as t', 't.id', 'c.tariff_id')
    .where('c.id', contractId)
    .first<ChangeContract | undefined>(
      'c.id', 'c.number', 'c.status', 'c.balance_kopecks', 'c.town_id', 'c.tariff_id', 't.name as tariff_name', 't.monthly_fee_kopecks as fee', 't.segment',
    );

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

/** Monthly fees of the extra services a contract has on a day. */
export const serviceFeesOn = (db: Q, contractId: number, day: string) =>
  db('contract_services as cs')
    .join('services as s', 's.id', 'cs.service_id')
    .where('cs.contract_id', contractId)
    .where('cs.from_day', '<=', day)
    .where((w) => w.whereNull('cs.to_day').orWhere('cs.to_day', '>=', day))
    .pluck<number[]>('s.monthly_fee_kopecks');

/** Whether a charge already covers the day (the daily run's, an unblocking's, an earlier change's, or a monthly one). */
export async function isDayCharged(db: Q, contractId: number, day: string): Promise<boolean> {
  const row = await db('ledger_entries')
    .where({ contract_id: contractId, kind: 'charge' })
    .where('period_from', '<=', day)
    .where('period_to', '>=', day)
    .first('id');
  return Boolean(row);
}

/** Whether the daily charge run of the day has finished. */
export const isChargeDayDone = async (db: Q, day: string) => Boolean(await db('charge_days').where({ day }).first('day'));

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
  const [{ id }] = await trx('tariff_changes').insert(row).returning('id');
  return id as number;
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
