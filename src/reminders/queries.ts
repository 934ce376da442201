// The low-balance reminder's reads.
import { servicesFeeOn } from '../billing/queries';
import type { Db } from '../db';

export type ActiveContractFees = { id: number; balance_kopecks: number; tariff_fee: number; services_fee: number };

/** Every active contract with its balance, its tariff's fee and its services' fees in force on the day. */
export async function activeContractsWithFees(db: Db, day: string): Promise<ActiveContractFees[]> {
  const rows = await db('contracts as c')
    .join('tariffs as t', 't.id', 'c.tariff_id')
    .where('c.status', 'active')
    .orderBy('c.id')
    .select<{ id: number; balance_kopecks: number; tariff_fee: number; services_fee: number | string }[]>(
      'c.id', 'c.balance_kopecks', 't.monthly_fee_kopecks as tariff_fee', servicesFeeOn(db, day).as('services_fee'),
    );
  return rows.map((r) => ({ ...r, services_fee: Number(r.services_fee) })); // a sum: numeric on PostgreSQL
}

/** Whether the notice with this key was written already (it is then not counted as told again). */
export const noticeExists = async (db: Db, key: string) => Boolean(await db('notifications').where({ idempotency_key: key }).first('id'));
