// Every knex call of autopayment: the rule (`autopay`, one row per contract), the consents to its terms, and the
// charges it makes (`autopay_charges`, one row per contract and period).
import { forUpdate, type Db, type Trx } from '../db';

export type AutopayRow = {
  id: number; contract_id: number; status: 'active' | 'off'; rule: 'threshold' | 'monthly'; amount_kopecks: number | null; threshold_kopecks: number | null;
  day: number | null; gateway: string; payment_method_id: string; card_mask: string; terms_version: string; terms_text: string; terms_accepted_at: string;
  off_reason: string | null; created_at: string; updated_at: string;
};
export type ChargeRow = {
  id: number; contract_id: number; period: string; amount_kopecks: number; status: 'pending' | 'succeeded' | 'failed' | 'refused' | 'skipped';
  attempts: number; next_attempt_at: string | null; payment_id: number | null; last_error: string | null; created_at: string; updated_at: string;
};
export type ConsentRow = {
  contract_id: number; payment_id: number | null; kind?: 'change'; rule: string; amount_kopecks: number | null;
  threshold_kopecks: number | null; day: number | null; terms_version: string; terms_text: string; accepted_at: string;
};

export const autopayOf = (db: Db | Trx, contractId: number) => db('autopay').where({ contract_id: contractId }).first<AutopayRow | undefined>();

export const autopayById = (db: Db | Trx, id: number) => db('autopay').where({ id }).first<AutopayRow | undefined>();

/** A closed contract's rule is turned off when it is closed; the filter keeps one that was not from acting anyway. */
const notClosed = (db: Db) => db('contracts').where({ status: 'closed' }).select('id');

export const activeAutopays = (db: Db) => db('autopay').where({ status: 'active' }).whereNotIn('contract_id', notClosed(db)).select<AutopayRow[]>('*');

/** Turns autopayment on (or on again) for the contract with these settings: one row per contract. */
export async function saveAutopay(trx: Db | Trx, contractId: number, createdAt: string, settings: Omit<AutopayRow, 'id' | 'contract_id' | 'created_at'>): Promise<void> {
  await trx('autopay').insert({ contract_id: contractId, created_at: createdAt, ...settings }).onConflict('contract_id').merge(settings);
}

/** The rule and the terms it was accepted under. */
export async function updateRule(trx: Db | Trx, id: number, fields: Partial<AutopayRow>): Promise<void> {
  await trx('autopay').where({ id }).update(fields);
}

/** Turns an active autopayment off; 1 if it was on. */
export const turnOffActive = (db: Db | Trx, contractId: number, reason: string, at: string): Promise<number> =>
  db('autopay').where({ contract_id: contractId, status: 'active' }).update({ status: 'off', off_reason: reason, updated_at: at });

/** A new consent to the terms: with the first payment, or with a changed rule (kind 'change', no payment). */
export async function insertConsent(trx: Db | Trx, row: ConsentRow): Promise<void> {
  await trx('autopay_consents').insert(row);
}

export const consentOfPayment = (trx: Db | Trx, paymentId: number) => trx('autopay_consents').where({ payment_id: paymentId }).first<ConsentRow | undefined>();

export const chargeById = (db: Db | Trx, id: number) => db('autopay_charges').where({ id }).first<ChargeRow | undefined>();

/** The charge a transition decides on, read first in its transaction and locked until the commit. */
export const lockCharge = (trx: Trx, id: number) => forUpdate(trx('autopay_charges').where({ id })).first<ChargeRow | undefined>();

export async function chargeExists(db: Db, contractId: number, period: string): Promise<boolean> {
  return Boolean(await db('autopay_charges').where({ contract_id: contractId, period }).first('id'));
}

/** The period's charge, unless another process made it first (unique contract and period): true if this one did. */
export async function insertCharge(db: Db, row: Omit<ChargeRow, 'id' | 'payment_id' | 'last_error'>): Promise<boolean> {
  const inserted = await db('autopay_charges').insert(row).onConflict(['contract_id', 'period']).ignore().returning('id');
  return inserted.length > 0;
}

export const updateCharge = (db: Db | Trx, id: number, fields: Partial<ChargeRow>) => db('autopay_charges').where({ id }).update(fields);

/** Points a charge at its try's payment, only while the charge is still at that try with none: 1 if it did. */
export const linkChargePayment = (db: Db | Trx, id: number, attempts: number, paymentId: number, at: string): Promise<number> =>
  db('autopay_charges').where({ id, attempts, status: 'pending' }).whereNull('payment_id').update({ payment_id: paymentId, updated_at: at });

/** Pending charges of contracts whose autopayment is on. */
export const dueCharges = (db: Db) =>
  db('autopay_charges as ch').join('autopay as a', 'a.contract_id', 'ch.contract_id').where('a.status', 'active').where('ch.status', 'pending').whereNotIn('ch.contract_id', notClosed(db)).select<ChargeRow[]>('ch.*');

export const recentCharges = (db: Db, contractId: number, limit: number) =>
  db('autopay_charges').where({ contract_id: contractId }).orderBy('id', 'desc').limit(limit).select<ChargeRow[]>('*');
