// The retention job (152-FZ: personal data is kept no longer than its purpose needs). Once a day, and by hand with
// `kabinet retention run`: sent and failed outbox messages older than OUTBOX_RETENTION_DAYS lose their recipient,
// text and headers; recovery attempts and codes, and finished phone/e-mail changes, older than CODE_RETENTION_DAYS
// are deleted; rate-limit counters that expired more than RATE_LIMIT_RETENTION_DAYS ago and expired sessions are
// deleted. The ledger and the audit log are never touched.
import crypto from 'node:crypto';
import type { AppContext } from '../context';
import type { JobHandler, Jobs } from '../jobs/service';
import { atLocalTime, dayOf } from '../lib/dates';
import { deleteExpiredSessions } from '../web/queries';
import {
  BATCH, blankOutboxRows, deleteExpiredRateLimits, deleteFinishedContactChanges, deleteRecoveryAttempts, deleteRecoveryCodes, outboxToBlank,
} from './queries';

export type RetentionResult = { outboxBlanked: number; recoveryCodes: number; recoveryAttempts: number; contactChanges: number; rateLimits: number; sessions: number };

const DAY_MS = 86_400_000;

/** Runs a batched statement until it comes back short; yields between batches so requests get their turn. */
async function drain(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    total += n;
    if (n < BATCH) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** An outbox key that names the recipient (notify's `…:sms:+7913…`) keeps its prefix, the recipient hashed: the same key is still recognised, the number is gone. */
export function keyWithoutRecipient(key: string | null, recipient: string): string | null {
  if (!key || !recipient || !key.includes(recipient)) return key;
  return key.split(recipient).join(`#${crypto.createHash('sha256').update(recipient).digest('hex').slice(0, 16)}`);
}

export async function runRetention(ctx: AppContext): Promise<RetentionResult> {
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const { outboxDays, codeDays, rateLimitDays } = ctx.config.retention;
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

  const outboxBlanked = await drain(async () => {
    const rows = await outboxToBlank(ctx.db, before(outboxDays));
    if (rows.length === 0) return 0;
    return blankOutboxRows(ctx.db, rows.map((r) => ({ id: r.id, idempotency_key: keyWithoutRecipient(r.idempotency_key, r.recipient) })));
  });
  const recoveryCodes = await drain(() => deleteRecoveryCodes(ctx.db, before(codeDays)));
  const recoveryAttempts = await drain(() => deleteRecoveryAttempts(ctx.db, before(codeDays)));
  const contactChanges = await drain(() => deleteFinishedContactChanges(ctx.db, before(codeDays), nowIso));
  const rateLimits = await drain(() => deleteExpiredRateLimits(ctx.db, now.getTime() - rateLimitDays * DAY_MS));
  const sessions = await deleteExpiredSessions(ctx.db, nowIso);
  const result = { outboxBlanked, recoveryCodes, recoveryAttempts, contactChanges, rateLimits, sessions };
  ctx.logger.info({ retention: result }, 'retention: personal data past its period purged');
  return result;
}

export const RETENTION_JOB = 'retention';
/** 03:30 provider time: after the charge run (00:05), before the day's traffic. */
const RETENTION_HOUR = 3;
const RETENTION_MINUTE = 30;

export function retentionJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  return { [RETENTION_JOB]: async () => void (await runRetention(ctx)) };
}

/** Puts today's retention run in the jobs table (once per provider day, by its key). */
export async function scheduleRetention(ctx: AppContext, jobs: Jobs): Promise<void> {
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  await jobs.enqueue(RETENTION_JOB, atLocalTime(today, RETENTION_HOUR, RETENTION_MINUTE, ctx.config.timeZone), `${RETENTION_JOB}:${today}`, { day: today });
}
