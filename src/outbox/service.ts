// The outbox: every SMS and e-mail is a row first, then a worker sends it. A failure that may pass (a gateway down,
// a timeout) is tried again with growing pauses; after OUTBOX_MAX_ATTEMPTS, or on a final refusal, the row is
// 'failed' and stays for staff to see and re-queue (npm run outbox -- retry ID). Nothing is ever deleted.
// SMS wait for the morning during quiet hours (SMS_QUIET_FROM_HOUR..SMS_QUIET_TO_HOUR provider time), except one-time codes,
// which instead expire (expires_at): never sent late, never re-queued by staff.
// A send is cut off after OUTBOX_TIMEOUT_MS, inside a lease twice as long plus a minute; its result is written only
// under that lease; a message the gateway accepted is never queued again. SMS and e-mail run side by side, and a
// channel's batch stops after CHANNEL_STOP_AFTER transient failures in a row.
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import { addDays, atLocalTime, dayOf } from '../lib/dates';
import { driversFor, SendError, type Driver, type OutMessage } from './drivers';
import * as q from './queries';
import type { OutboxRow } from './queries';

export type { OutboxRow } from './queries';

export type NewMessage = {
  channel: 'sms' | 'email'; recipient: string; subject?: string; text: string; topic: string; contractId?: number | null;
  oneTimeCode?: boolean; headers?: Record<string, string>; key?: string;
  /** A one-time code's end (default: RECOVERY_CODE_MINUTES from now). */ expiresAt?: Date;
};

const backoffMs = (attempts: number) => Math.min(60 * 60_000, 60_000 * 2 ** (attempts - 1)); // 1, 2, 4 ... 60 minutes

/** The provider-local hour of an instant. */
export function localHour(at: Date, tz: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

/** When quiet hours end, if `at` falls in them; null when SMS may go now. */
export function quietUntil(at: Date, tz: string, fromHour: number, toHour: number): Date | null {
  if (fromHour === toHour) return null;
  const h = localHour(at, tz);
  const quiet = fromHour > toHour ? h >= fromHour || h < toHour : h >= fromHour && h < toHour;
  if (!quiet) return null;
  const today = dayOf(at, tz);
  let end = atLocalTime(today, toHour, 0, tz); // by the wall clock: a DST day is 23 or 25 hours long
  if (end <= at) end = atLocalTime(addDays(today, 1), toHour, 0, tz);
  return end;
}

/** Puts a message in the outbox, in the caller's transaction. The same key twice queues it once. A one-time code
 *  expires (`expiresAt`, else RECOVERY_CODE_MINUTES after now): after that it is marked failed, never sent late. */
export async function enqueue(ctx: AppContext, db: Db | Trx, m: NewMessage): Promise<number | null> {
  const at = ctx.clock.now();
  const now = at.toISOString();
  const expiresAt = m.oneTimeCode ? (m.expiresAt ?? new Date(at.getTime() + ctx.config.recovery.codeMinutes * 60_000)).toISOString() : null;
  return q.insertMessage(db, {
    channel: m.channel, recipient: m.recipient, subject: m.subject ?? null, body: m.text, headers: m.headers ? JSON.stringify(m.headers) : null,
    topic: m.topic, contract_id: m.contractId ?? null, one_time_code: Boolean(m.oneTimeCode), state: 'queued', attempts: 0,
    next_try_at: now, idempotency_key: m.key ?? null, created_at: now, expires_at: expiresAt,
  });
}

/** Whether a message keyed "<prefix>:…" is in the outbox (a notice's messages carry its key so). */
export const queuedWithKeyPrefix = (db: Db | Trx, prefix: string): Promise<boolean> => q.hasMessageKeyed(db, prefix);

/** A one-time secret is not left readable in the database once it has gone out: a link's token when the text has
 *  one (an e-mail confirmation: its 6-digit contract number stays), otherwise the 6-digit code. */
const maskCode = (text: string) =>
  /[?&]token=/.test(text) ? text.replace(/([?&]token=)[^\s&]+/g, '$1[скрыто]') : text.replace(/\d{6}/g, '******');

/** Staff asked to queue again a message that must not go again (a one-time code: expired, and its text is masked). */
export class OutboxRetryRefused extends Error {}

type Outcome = 'sent' | 'retry' | 'failed' | 'expired' | 'deferred' | 'skipped';
type Claim = { kind: 'claimed'; row: OutboxRow; lease: string } | { kind: 'expired' | 'deferred'; row: OutboxRow };
/** After this many transient failures in a row, a channel's batch stops until the next run (the gateway is down). */
export const CHANNEL_STOP_AFTER = 3;
const MARK_SENT_TRIES = 4;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The driver's answer, or a transient SendError once `ms` have passed (the driver's signal is aborted then). */
async function sendWithin(driver: Driver, m: OutMessage, ms: number): Promise<string> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new SendError(`no answer in ${ms} ms (outbox timeout)`, false);
      abort.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([driver.send(m, abort.signal), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function createOutbox(ctx: AppContext, drivers: { sms: Driver; email: Driver } = driversFor(ctx.config, () => ctx.clock.now())) {
  const { maxAttempts, timeoutMs, quietFromHour, quietToHour } = ctx.config.outbox;
  // A send is cut off after timeoutMs (sendWithin); the lease leaves as much again plus a minute for writing the
  // result, so no other worker can claim a row while this one may still be sending it.
  const leaseMs = 2 * timeoutMs + 60_000;
  const log = { warn: ctx.logger.warn.bind(ctx.logger), error: ctx.logger.error.bind(ctx.logger) };

  /**
   * Claims one due message inside a short transaction: the row is read with claimable() (another process skips it on
   * PostgreSQL; SQLite's writer lock makes the claim exclusive) and its next_try_at moved to the lease's end before
   * the commit. A one-time code past its expiry is failed instead, an SMS in quiet hours moved to their end; neither
   * is sent. null: nothing due (or another worker has it).
   */
  async function claim(pick: (trx: Trx, nowIso: string) => Promise<OutboxRow | undefined>): Promise<Claim | null> {
    return inTransaction(ctx.db, async (trx) => {
      const now = ctx.clock.now();
      const row = await pick(trx, now.toISOString());
      if (!row) return null;
      if (row.one_time_code && row.expires_at && now.getTime() >= new Date(row.expires_at).getTime()) {
        await expire(trx, row, row.next_try_at, row.last_error ? `expired (last error: ${row.last_error})` : 'expired');
        return { kind: 'expired', row };
      }
      if (row.channel === 'sms' && !row.one_time_code) {
        const until = quietUntil(now, ctx.config.timeZone, quietFromHour, quietToHour);
        if (until) {
          await q.updateUnderLease(trx, row.id, row.next_try_at, { next_try_at: until.toISOString() });
          return { kind: 'deferred', row };
        }
      }
      const lease = new Date(now.getTime() + leaseMs).toISOString();
      const n = await q.updateUnderLease(trx, row.id, row.next_try_at, { next_try_at: lease });
      return n === 1 ? { kind: 'claimed', row, lease } : null;
    });
  }

  /** Records a delivered message. The gateway has it: whatever happens here, it is never queued again. */
  async function markSent(row: OutboxRow, lease: string, providerId: string): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        const n = await q.updateUnderLease(ctx.db, row.id, lease, {
          state: 'sent', attempts: row.attempts + 1, sent_at: ctx.clock.now().toISOString(), provider_id: providerId, last_error: null,
          ...(row.one_time_code ? { body: maskCode(row.body) } : {}),
        });
        if (n !== 1) log.error({ outbox: { id: row.id, providerId } }, 'outbox: sent, but the row is no longer under this worker\u2019s lease; not recorded');
        return;
      } catch (err) {
        if (i >= MARK_SENT_TRIES) {
          log.error({ err, outbox: { id: row.id, channel: row.channel, providerId, leaseUntil: lease } },
            'outbox: SENT BUT NOT RECORDED: the gateway accepted the message, marking it sent failed; the row stays leased (it may go again once the lease ends)');
          return;
        }
        await sleep(100 * 2 ** i);
      }
    }
  }

  /** A one-time code past its expiry is failed, not sent: nobody waits for it any more. */
  async function expire(db: Db | Trx, row: OutboxRow, leaseOrNext: string, lastError: string): Promise<void> {
    await q.updateUnderLease(db, row.id, leaseOrNext, { state: 'failed', last_error: lastError.slice(0, 500), body: maskCode(row.body) });
  }

  /** Sends a claimed message and writes the result under its lease. */
  async function send(row: OutboxRow, lease: string): Promise<{ outcome: Outcome; transient?: boolean }> {
    const driver = row.channel === 'sms' ? drivers.sms : drivers.email;
    let providerId: string;
    try {
      providerId = await sendWithin(driver, {
        id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body,
        headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {},
      }, timeoutMs);
    } catch (err) {
      const attempts = row.attempts + 1;
      const permanent = err instanceof SendError && err.permanent;
      const message = String(err instanceof Error ? err.message : err);
      const nextTry = new Date(ctx.clock.now().getTime() + backoffMs(attempts));
      const expired = Boolean(row.one_time_code && row.expires_at && nextTry.getTime() >= new Date(row.expires_at).getTime());
      const failed = permanent || attempts >= maxAttempts || expired;
      log.warn({ err, outbox: { id: row.id, channel: row.channel, attempts, driver: driver.name } }, 'outbox: sending failed');
      const n = await q.updateUnderLease(ctx.db, row.id, lease, {
        attempts, last_error: (expired && !permanent ? `expired (last error: ${message})` : message).slice(0, 500),
        state: failed ? 'failed' : 'queued', next_try_at: nextTry.toISOString(),
        ...(failed && row.one_time_code ? { body: maskCode(row.body) } : {}),
      });
      if (n !== 1) log.warn({ outbox: { id: row.id } }, 'outbox: the row is no longer under this worker\u2019s lease; failure not recorded');
      return { outcome: !failed ? 'retry' : expired && !permanent ? 'expired' : 'failed', transient: !permanent };
    }
    await markSent(row, lease, providerId);
    return { outcome: 'sent' };
  }

  /** Claims a message, then (outside the claim's transaction) sends it. */
  async function deliverNext(pick: (trx: Trx, nowIso: string) => Promise<OutboxRow | undefined>): Promise<{ outcome: Outcome; transient?: boolean } | null> {
    const c = await claim(pick);
    if (!c) return null;
    if (c.kind !== 'claimed') return { outcome: c.kind };
    return send(c.row, c.lease);
  }

  /** One channel's due rows, oldest first; stops after CHANNEL_STOP_AFTER transient failures in a row (the rest keep their next_try_at). */
  async function runChannel(channel: 'sms' | 'email', limit: number, counts: Record<Outcome, number>): Promise<void> {
    let failuresInARow = 0;
    for (let i = 0; i < limit; i++) {
      const r = await deliverNext((trx, nowIso) => q.nextDue(trx, channel, nowIso));
      if (!r) return;
      counts[r.outcome]++;
      if (r.outcome === 'sent') failuresInARow = 0;
      else if (r.transient) failuresInARow++;
      if (failuresInARow >= CHANNEL_STOP_AFTER) {
        const waiting = await q.countDue(ctx.db, channel, ctx.clock.now().toISOString());
        if (waiting) log.warn({ outbox: { channel, waiting } }, `outbox: ${channel} failed ${failuresInARow} times in a row; the rest wait for the next run`);
        return;
      }
    }
  }

  return {
    drivers,
    /** Sends every message that is due, oldest first, SMS and e-mail side by side (`limit` rows of each). */
    async runDue(limit = 100): Promise<Record<string, number>> {
      const counts: Record<Outcome, number> = { sent: 0, retry: 0, failed: 0, expired: 0, deferred: 0, skipped: 0 };
      await Promise.all([runChannel('sms', limit, counts), runChannel('email', limit, counts)]);
      return counts;
    },
    /** Tries one message now (a one-time code should not wait for the next tick); on failure the worker retries it. */
    async sendNow(id: number): Promise<Outcome> {
      const r = await deliverNext((trx, nowIso) => q.dueById(trx, id, nowIso));
      return r ? r.outcome : 'skipped';
    },
    list(filter: { state?: string; limit?: number } = {}) {
      return q.listMessages(ctx.db, { state: filter.state, limit: filter.limit ?? 50 });
    },
    /** Staff put a failed message back in the queue (after fixing the gateway's account, say). False if it is not
     *  failed; throws OutboxRetryRefused for a one-time code (it has expired and its text is masked). `db`: the
     *  caller's transaction, when the retry is written to the audit with it (the console). */
    async retry(id: number, db: Db | Trx = ctx.db): Promise<boolean> {
      const row = await q.messageById(db, id);
      if (row?.one_time_code) {
        throw new OutboxRetryRefused(`message ${id} is a one-time code: it is never sent again (the code has expired and its text is masked); the subscriber asks for a new code`);
      }
      return (await q.requeueFailed(db, id, ctx.clock.now().toISOString())) === 1;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
