// The autopay rule's writes that the rule change and the first payment share (the rest of the feature's knex calls
// still sit in service.ts; the PostgreSQL issue moves them here).
import type { Db, Trx } from '../db';

export type ConsentRow = {
  contract_id: number; payment_id: number | null; kind?: 'change'; rule: string; amount_kopecks: number | null;
  threshold_kopecks: number | null; day: number | null; terms_version: string; terms_text: string; accepted_at: string;
};

/** A new consent to the terms: with the first payment, or with a changed rule (kind 'change', no payment). */
export async function insertConsent(trx: Db | Trx, row: ConsentRow): Promise<void> {
  await trx('autopay_consents').insert(row);
}

/** The rule and the terms it was accepted under. */
export async function updateRule(trx: Db | Trx, id: number, fields: Record<string, unknown>): Promise<void> {
  await trx('autopay').where({ id }).update(fields);
}
