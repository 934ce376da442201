// Every knex call of the retention job: it purges personal data in other features' tables, so its statements are
// kept together here (one place to read what is ever removed). Each works in batches of BATCH rows, so that no single
// statement holds the write lock for long; callers loop until a batch comes back short.
import type { Db } from '../db';
import { inTransaction } from '../db';

export const BATCH = 500;

export type OutboxToBlank = { id: number; recipient: string; idempotency_key: string | null };

/** Sent or failed messages created before `before` whose recipient or text is still there. */
export const outboxToBlank = (db: Db, before: string) =>
  db('outbox')
    .whereIn('state', ['sent', 'failed'])
    .where('created_at', '<', before)
    .where((q) => q.where('recipient', '<>', '').orWhere('body', '<>', ''))
    .orderBy('id')
    .limit(BATCH)
    .select<OutboxToBlank[]>('id', 'recipient', 'idempotency_key');

/** Blanks what identifies the person in these messages; keeps channel, topic, contract, state and times. */
export const blankOutboxRows = (db: Db, rows: { id: number; idempotency_key: string | null }[]) =>
  inTransaction(db, async (trx) => {
    for (const r of rows) {
      await trx('outbox').where({ id: r.id }).update({ recipient: '', subject: null, body: '', headers: null, last_error: null, idempotency_key: r.idempotency_key });
    }
    return rows.length;
  });

/** Password-recovery codes created before `before`, and codes of attempts begun before it. */
export const deleteRecoveryCodes = (db: Db, before: string) =>
  db('recovery_codes')
    .whereIn('id', (q) =>
      q.select('id').from('recovery_codes')
        .where('created_at', '<', before)
        .orWhereIn('attempt_id', (a) => a.select('id').from('recovery_attempts').where('created_at', '<', before))
        .limit(BATCH))
    .del();

/** Recovery attempts begun before `before` with no code left (codes go first). */
export const deleteRecoveryAttempts = (db: Db, before: string) =>
  db('recovery_attempts')
    .whereIn('id', (q) =>
      q.select('id').from('recovery_attempts').where('created_at', '<', before)
        .whereNotExists((c) => c.select('id').from('recovery_codes').whereRaw('recovery_codes.attempt_id = recovery_attempts.id'))
        .limit(BATCH))
    .del();

/** Phone and e-mail changes begun before `before` that are over: confirmed, cancelled or expired by `now`. */
export const deleteFinishedContactChanges = (db: Db, before: string, now: string) =>
  db('contact_changes')
    .whereIn('id', (q) =>
      q.select('id').from('contact_changes').where('created_at', '<', before)
        .where((w) => w.whereNotNull('confirmed_at').orWhereNotNull('cancelled_at').orWhere('expires_at', '<', now))
        .limit(BATCH))
    .del();

/** Rate-limit counters (their keys hold client addresses) that expired before `beforeMs` (epoch milliseconds). */
export const deleteExpiredRateLimits = (db: Db, beforeMs: number) =>
  db('rate_limits')
    .whereIn('key', (q) => q.select('key').from('rate_limits').where('expire', '<', beforeMs).limit(BATCH))
    .del();
