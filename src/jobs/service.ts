// Durable work: a job is a row (kind, run_at, payload, idempotency key) done by the in-process scheduler.
// Each job is claimed before it runs (one transaction: the row taken with claimable(), its run_at moved to the end of a
// lease), so several processes share the due jobs and never run one at the same time. A process that dies running a
// job leaves it to be claimed again when the lease ends: handlers must be idempotent.
// The handlers are the features' own (each feature's jobs.ts), given by the one place that lists them (src/schedule.ts):
// this folder imports no feature.
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import { abandonJob, enqueueJob, finishJob, jobById, leaseJob, listJobs as listJobRows, nextDueJob, nextPendingRunAt, requeueFailedJob, retryJob, type JobRow } from './queries';

export type JobHandler = (payload: Record<string, unknown>) => Promise<void>;

const MAX_ATTEMPTS = 5;
/** How long a claimed job is its process's alone: longer than any job runs (a day's charge run takes seconds). */
export const JOB_LEASE_MS = 15 * 60_000;
const backoffMs = (attempts: number) => Math.min(60 * 60_000, 60_000 * 2 ** (attempts - 1)); // 1, 2, 4, 8 ... minutes

export function createJobs(ctx: AppContext, handlers: Record<string, JobHandler>) {
  /** Takes the next due job for this process, or undefined when none is due (or every due one is taken). */
  const claimNext = (): Promise<JobRow | undefined> =>
    inTransaction(ctx.db, async (trx) => {
      for (;;) {
        const job = await nextDueJob(trx, ctx.clock.now().toISOString());
        if (!job) return undefined;
        const now = ctx.clock.now();
        if (job.attempts >= MAX_ATTEMPTS) {
          // claimed that many times and never finished nor failed: its process stopped while running it, every time
          await abandonJob(trx, job.id, { last_error: `the process running it stopped ${job.attempts} times`, at: now.toISOString() });
          continue;
        }
        const claimed = { ...job, attempts: job.attempts + 1 };
        await leaseJob(trx, job.id, { attempts: claimed.attempts, until: new Date(now.getTime() + JOB_LEASE_MS).toISOString() });
        return claimed;
      }
    });

  return {
    enqueue(kind: string, runAt: Date, key: string, payload: Record<string, unknown> = {}) {
      return enqueueJob(ctx.db, { kind, run_at: runAt.toISOString(), payload, idempotency_key: key, created_at: ctx.clock.now().toISOString() });
    },

    /** Runs the jobs that are due, oldest first, each claimed first; a failure is retried later with backoff, then marked failed. */
    async runDue(limit = 50): Promise<{ done: number; failed: number }> {
      let done = 0;
      let failed = 0;
      for (let n = 0; n < limit; n++) {
        const job = await claimNext();
        if (!job) break;
        const handler = handlers[job.kind];
        try {
          if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
          await handler(JSON.parse(job.payload) as Record<string, unknown>);
          await finishJob(ctx.db, job.id, ctx.clock.now().toISOString());
          done++;
        } catch (err) {
          const attempts = job.attempts; // the claim counted this attempt
          const now = ctx.clock.now();
          ctx.logger.error({ err, job: { id: job.id, kind: job.kind, attempts } }, 'job failed');
          await retryJob(ctx.db, job.id, {
            attempts, run_at: new Date(now.getTime() + backoffMs(attempts)).toISOString(), last_error: String(err), failed: attempts >= MAX_ATTEMPTS, at: now.toISOString(),
          });
          failed++;
        }
      }
      return { done, failed };
    },

    /** When the next pending job falls due after `at` (null: none): the testers' clock (src/test-clock) stops there. */
    async nextDueAfter(at: Date): Promise<Date | null> {
      const next = await nextPendingRunAt(ctx.db, at.toISOString());
      return next ? new Date(next) : null;
    },
  };
}
export type Jobs = ReturnType<typeof createJobs>;

/** The CLI's words for a job's status: 'queued' is the table's 'pending'. */
export const JOB_STATES = { queued: 'pending', done: 'done', failed: 'failed' } as const;
export type JobState = keyof typeof JOB_STATES;
const stateOf = (status: string): string => (status === 'pending' ? 'queued' : status);

/** Staff's view of the jobs table (npm run jobs -- list), newest first. */
export async function listJobs(ctx: AppContext, filter: { state?: JobState; limit: number }) {
  const rows = await listJobRows(ctx.db, { status: filter.state ? JOB_STATES[filter.state] : undefined, limit: filter.limit });
  return rows.map((r) => ({ ...r, state: stateOf(r.status) }));
}

export type RetryResult = { kind: 'queued' } | { kind: 'missing' } | { kind: 'not-failed'; state: string };

/** Staff run a failed job again (npm run jobs -- retry ID): due now, attempts from zero. Any other job is left alone.
 *  `db`: the caller's transaction, when the retry is written to the audit with it (the console). */
export async function retryFailedJob(ctx: AppContext, id: number, db: Db | Trx = ctx.db): Promise<RetryResult> {
  const job = await jobById(db, id);
  if (!job) return { kind: 'missing' };
  if (job.status !== 'failed') return { kind: 'not-failed', state: stateOf(job.status) };
  const n = await requeueFailedJob(db, id, ctx.clock.now().toISOString());
  return n === 1 ? { kind: 'queued' } : { kind: 'not-failed', state: stateOf((await jobById(db, id))?.status ?? 'failed') };
}
