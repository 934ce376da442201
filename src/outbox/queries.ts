// Every knex call of the outbox. A row is claimed inside a short transaction (claimable: FOR UPDATE SKIP LOCKED on
// PostgreSQL, the writer lock on SQLite) and every later write is conditional on the lease it was claimed with.
import { claimable, type Db, type Trx } from '../db';

export type OutboxRow = {
  id: number; channel: 'sms' | 'email'; recipient: string; subject: string | null; body: string; headers: string | null; topic: string;
  contract_id: number | null; one_time_code: number | boolean; state: 'queued' | 'sent' | 'failed'; attempts: number; next_try_at: string;
  last_error: string | null; provider_id: string | null; idempotency_key: string | null; created_at: string; sent_at: string | null;
  expires_at: string | null;
};

export type NewOutboxRow = Omit<OutboxRow, 'id' | 'last_error' | 'provider_id' | 'sent_at' | 'one_time_code'> & { one_time_code: boolean };

/** Queues a message; the same idempotency key twice queues it once (null: it was there already). */
export async function insertMessage(db: Db | Trx, row: NewOutboxRow): Promise<number | null> {
  const ids = (await db('outbox').insert(row).onConflict('idempotency_key').ignore().returning('id')) as { id: number }[];
  return ids[0] ? Number(ids[0].id) : null;
}

/** Whether a message with a key starting with `prefix:` is queued (a notice's messages are keyed "<notice key>:…"). */
export async function hasMessageKeyed(db: Db | Trx, prefix: string): Promise<boolean> {
  // A range on the unique index finds them without a scan (';' follows ':').
  return Boolean(await db('outbox').where('idempotency_key', '>=', `${prefix}:`).where('idempotency_key', '<', `${prefix};`).first('id'));
}

/** The oldest message of a channel that is due now, locked for the claim (another process skips it). */
export const nextDue = (trx: Trx, channel: 'sms' | 'email', nowIso: string) =>
  claimable(trx('outbox').where({ state: 'queued', channel }).where('next_try_at', '<=', nowIso).orderBy('id').limit(1)).first<OutboxRow | undefined>();

/** One queued message that is due now, locked for the claim (sendNow). */
export const dueById = (trx: Trx, id: number, nowIso: string) =>
  claimable(trx('outbox').where({ id, state: 'queued' }).where('next_try_at', '<=', nowIso)).first<OutboxRow | undefined>();

export async function countDue(db: Db, channel: 'sms' | 'email', nowIso: string): Promise<number> {
  const row = await db('outbox').where({ state: 'queued', channel }).where('next_try_at', '<=', nowIso).count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}

/** Writes to a queued row only while it still has the next_try_at (the lease) this worker knows: 1 if it did, 0 if another worker has it. */
export const updateUnderLease = (db: Db | Trx, id: number, lease: string, fields: Partial<OutboxRow>): Promise<number> =>
  db('outbox').where({ id, state: 'queued', next_try_at: lease }).update(fields);

export const messageById = (db: Db | Trx, id: number) => db('outbox').where({ id }).first<OutboxRow | undefined>();

export function listMessages(db: Db, filter: { state?: string; limit: number }) {
  const q = db('outbox').orderBy('id', 'desc').limit(filter.limit);
  if (filter.state) q.where({ state: filter.state });
  return q.select<OutboxRow[]>('*');
}

/** A failed message (not a one-time code) due again now, its attempts from zero. */
export const requeueFailed = (db: Db | Trx, id: number, nowIso: string): Promise<number> =>
  db('outbox').where({ id, state: 'failed', one_time_code: false }).update({ state: 'queued', attempts: 0, next_try_at: nowIso });
