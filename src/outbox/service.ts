// The outbox: every SMS and e-mail is a row first, then a worker sends it. A failure that may pass (a gateway down,
// a timeout) is tried again with growing pauses; after OUTBOX_MAX_ATTEMPTS, or on a final refusal, the row is
// 'failed' and stays for staff to see and re-queue (npm run outbox -- retry ID). Nothing is ever deleted.
// SMS wait for the morning during quiet hours (SMS_QUIET_FROM_HOUR..SMS_QUIET_TO_HOUR provider time), except one-time codes.
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { dayOf, startOfDay } from '../lib/dates';
import { driversFor, SendError, type Driver } from './drivers';

export type OutboxRow = {
  id: number; channel: 'sms' | 'email'; recipient: string; subject: string | null; body: string; headers: string | null; topic: string;
  contract_id: number | null; one_time_code: number | boolean; state: 'queued' | 'sent' | 'failed'; attempts: number; next_try_at: string;
  last_error: string | null; provider_id: string | null; idempotency_key: string | null; created_at: string; sent_at: string | null;
};

export type NewMessage = {
  channel: 'sms' | 'email'; recipient: string; subject?: string; text: string; topic: string; contractId?: number | null;
  oneTimeCode?: boolean; headers?: Record<string, string>; key?: string;
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
  let end = new Date(startOfDay(today, tz).getTime() + toHour * 3_600_000);
  if (end <= at) end = new Date(end.getTime() + 86_400_000);
  return end;
}

/** Puts a message in the outbox, in the caller's transaction. The same key twice queues it once. */
export async function enqueue(ctx: AppContext, db: Knex | Knex.Transaction, m: NewMessage): Promise<number | null> {
  const now = ctx.clock.now().toISOString();
  const ids = await db('outbox')
    .insert({
      channel: m.channel, recipient: m.recipient, subject: m.subject ?? null, body: m.text, headers: m.headers ? JSON.stringify(m.headers) : null,
      topic: m.topic, contract_id: m.contractId ?? null, one_time_code: Boolean(m.oneTimeCode), state: 'queued', attempts: 0,
      next_try_at: now, idempotency_key: m.key ?? null, created_at: now,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  const first = ids[0] as { id: number } | number | undefined;
  const id = typeof first === 'object' ? first.id : first;
  return id ? Number(id) : null;
}

/** A one-time code is not left readable in the database once it has gone out. */
const maskCode = (text: string) => text.replace(/\d{6}/g, '******');

export function createOutbox(ctx: AppContext, drivers: { sms: Driver; email: Driver } = driversFor(ctx.config, () => ctx.clock.now())) {
  const { maxAttempts, timeoutMs, quietFromHour, quietToHour } = ctx.config.outbox;

  /** Takes the row for this worker (a lease as long as two timeouts), so that two workers never send it twice. */
  async function claim(row: OutboxRow, nowIso: string): Promise<boolean> {
    const lease = new Date(ctx.clock.now().getTime() + 2 * timeoutMs + 1000).toISOString();
    const n = await ctx.db('outbox').where({ id: row.id, state: 'queued', next_try_at: row.next_try_at }).where('next_try_at', '<=', nowIso).update({ next_try_at: lease });
    return n === 1;
  }

  async function deliver(row: OutboxRow): Promise<'sent' | 'retry' | 'failed' | 'deferred' | 'skipped'> {
    const now = ctx.clock.now();
    if (row.channel === 'sms' && !row.one_time_code) {
      const until = quietUntil(now, ctx.config.timeZone, quietFromHour, quietToHour);
      if (until) {
        await ctx.db('outbox').where({ id: row.id, state: 'queued' }).update({ next_try_at: until.toISOString() });
        return 'deferred';
      }
    }
    if (!(await claim(row, now.toISOString()))) return 'skipped';
    const driver = row.channel === 'sms' ? drivers.sms : drivers.email;
    try {
      const providerId = await driver.send({
        id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body,
        headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {},
      });
      await ctx.db('outbox').where({ id: row.id }).update({
        state: 'sent', attempts: row.attempts + 1, sent_at: ctx.clock.now().toISOString(), provider_id: providerId, last_error: null,
        ...(row.one_time_code ? { body: maskCode(row.body) } : {}),
      });
      return 'sent';
    } catch (err) {
      const attempts = row.attempts + 1;
      const permanent = err instanceof SendError && err.permanent;
      const failed = permanent || attempts >= maxAttempts;
      ctx.logger.warn({ err, outbox: { id: row.id, channel: row.channel, attempts, driver: driver.name } }, 'outbox: sending failed');
      await ctx.db('outbox').where({ id: row.id }).update({
        attempts, last_error: String(err instanceof Error ? err.message : err).slice(0, 500),
        state: failed ? 'failed' : 'queued', next_try_at: new Date(ctx.clock.now().getTime() + backoffMs(attempts)).toISOString(),
        ...(failed && row.one_time_code ? { body: maskCode(row.body) } : {}),
      });
      return failed ? 'failed' : 'retry';
    }
  }

  return {
    drivers,
    /** Sends every message that is due, oldest first. */
    async runDue(limit = 100): Promise<Record<string, number>> {
      const counts: Record<string, number> = { sent: 0, retry: 0, failed: 0, deferred: 0, skipped: 0 };
      const rows = await ctx.db('outbox').where({ state: 'queued' }).where('next_try_at', '<=', ctx.clock.now().toISOString()).orderBy('id').limit(limit) as OutboxRow[];
      for (const row of rows) counts[await deliver(row)]++;
      return counts;
    },
    /** Tries one message now (a one-time code should not wait for the next tick); on failure the worker retries it. */
    async sendNow(id: number) {
      const row = (await ctx.db('outbox').where({ id, state: 'queued' }).first()) as OutboxRow | undefined;
      return row ? deliver(row) : 'skipped';
    },
    list(filter: { state?: string; limit?: number } = {}) {
      const q = ctx.db('outbox').orderBy('id', 'desc').limit(filter.limit ?? 50);
      if (filter.state) q.where({ state: filter.state });
      return q as Promise<OutboxRow[]>;
    },
    /** Staff put a failed message back in the queue (after fixing the gateway's account, say). */
    async retry(id: number): Promise<boolean> {
      const n = await ctx.db('outbox').where({ id, state: 'failed' }).update({ state: 'queued', attempts: 0, next_try_at: ctx.clock.now().toISOString() });
      return n === 1;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
