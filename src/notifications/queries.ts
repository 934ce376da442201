// Every knex call of notices and subscriptions.
import type { Db, Trx } from '../db';

export type NoticeRow = {
  contract_id: number; topic: string; title: string; body: string; link: string | null; idempotency_key: string | null; created_at: string;
};
export type SubscriptionRow = { topic: string; channel: string; enabled: number | boolean };

export async function noticeKeyed(db: Db | Trx, key: string): Promise<boolean> {
  return Boolean(await db('notifications').where({ idempotency_key: key }).first('id'));
}

/** A notice in the cabinet; the same key twice is kept once. */
export async function insertNotice(db: Db | Trx, row: NoticeRow): Promise<void> {
  await db('notifications').insert(row).onConflict('idempotency_key').ignore();
}

export const contractPhones = (db: Db | Trx, contractId: number): Promise<string[]> =>
  db('contract_phones').where({ contract_id: contractId }).orderBy('id').pluck('phone');

export async function contractEmail(db: Db | Trx, contractId: number): Promise<string | null> {
  const row = await db('contracts').where({ id: contractId }).first<{ email: string | null } | undefined>('email');
  return row?.email ?? null;
}

/** The choices a contract made (a missing row is the default). */
export const subscriptionRows = (db: Db | Trx, contractId: number) =>
  db('subscriptions').where({ contract_id: contractId }).select<SubscriptionRow[]>('topic', 'channel', 'enabled');

export async function saveSubscription(db: Db | Trx, row: { contract_id: number; topic: string; channel: string; enabled: boolean; consent_at: string | null; updated_at: string }): Promise<void> {
  await db('subscriptions')
    .insert(row)
    .onConflict(['contract_id', 'topic', 'channel'])
    .merge({ enabled: row.enabled, consent_at: row.consent_at, updated_at: row.updated_at });
}
