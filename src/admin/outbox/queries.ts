// The console's reads of the outbox: never its text (a one-time code or a link token may be in it until it is sent).
import type { Knex } from 'knex';
import type { Db } from '../../db';

/** What staff see: 'expired' is a failed one-time code whose time ran out (src/outbox/service.ts). */
export const OUTBOX_STATES = ['queued', 'sent', 'failed', 'expired'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
export const OUTBOX_CHANNELS = ['sms', 'email'] as const;

export type OutboxListRow = {
  id: number; channel: 'sms' | 'email'; recipient: string; topic: string; state: 'queued' | 'sent' | 'failed'; one_time_code: number | boolean;
  attempts: number; last_error: string | null; created_at: string; sent_at: string | null; contract_id: number | null;
};

const expiredCode = (b: Knex.QueryBuilder) => b.where('one_time_code', true).whereNotNull('last_error').where('last_error', 'like', 'expired%');

function byState(q: Knex.QueryBuilder, state: OutboxState): Knex.QueryBuilder {
  if (state === 'expired') return q.where('state', 'failed').where(expiredCode);
  if (state === 'failed') return q.where('state', 'failed').whereNot(expiredCode);
  return q.where('state', state);
}

export function listOutbox(db: Db, f: { state: OutboxState | null; channel: 'sms' | 'email' | null; limit: number }) {
  const q = db('outbox')
    .select('id', 'channel', 'recipient', 'topic', 'state', 'one_time_code', 'attempts', 'last_error', 'created_at', 'sent_at', 'contract_id')
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.state) byState(q, f.state);
  if (f.channel) q.where('channel', f.channel);
  return q as unknown as Promise<OutboxListRow[]>;
}

export const outboxSummary = (db: Db, id: number) =>
  db('outbox').where({ id }).first<{ id: number; channel: string; topic: string; state: string; contract_id: number | null } | undefined>('id', 'channel', 'topic', 'state', 'contract_id');

/** Failed messages staff can do something about (an expired one-time code is not sent again). */
export async function countFailedOutbox(db: Db): Promise<number> {
  const row = await byState(db('outbox'), 'failed').count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
