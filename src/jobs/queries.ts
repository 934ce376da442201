import { claimable, type Db, type Trx } from '../db';

export type JobRow = { id: number; kind: string; run_at: string; payload: string; idempotency_key: string; status: string; attempts: number };

/** Adds a job unless one with the same key exists (done or not). */
export const enqueueJob = (db: Db, job: { kind: string; run_at: string; payload: unknown; idempotency_key: string; created_at: string }) =>
  db('jobs')
    .insert({ ...job, payload: JSON.stringify(job.payload ?? {}), status: 'pending', attempts: 0 })
    .onConflict('idempotency_key')
    .ignore();

/**
 * The next due job no other process holds (inside the claiming transaction): FOR UPDATE SKIP LOCKED on PostgreSQL,
 * so processes claiming at once take different jobs; SQLite's writer lock makes the claim exclusive already.
 */
export const nextDueJob = (trx: Trx, now: string) =>
  claimable(trx('jobs').where({ status: 'pending' }).where('run_at', '<=', now).orderBy([{ column: 'run_at' }, { column: 'id' }]).first<JobRow | undefined>('*'));

/** The earliest run_at of a pending job after `after` (the testers' clock replays the scheduler up to each). */
export const nextPendingRunAt = async (db: Db, after: string): Promise<string | null> => {
  const row = await db('jobs').where({ status: 'pending' }).where('run_at', '>', after).min<{ at: string | null }>({ at: 'run_at' }).first();
  return row?.at ?? null;
};

/** A claimed job is due again only when its lease ends (its process died running it); the claim counts as an attempt. */
export const leaseJob = (trx: Trx, id: number, u: { attempts: number; until: string }) => trx('jobs').where({ id }).update({ attempts: u.attempts, run_at: u.until });

/** A job given up without running: the processes that claimed it stopped while running it, too many times. */
export const abandonJob = (trx: Trx, id: number, u: { last_error: string; at: string }) =>
  trx('jobs').where({ id, status: 'pending' }).update({ status: 'failed', last_error: u.last_error, finished_at: u.at });

export const finishJob = (db: Db, id: number, at: string) => db('jobs').where({ id, status: 'pending' }).update({ status: 'done', finished_at: at });

export const retryJob = (db: Db, id: number, u: { attempts: number; run_at: string; last_error: string; failed: boolean; at: string }) =>
  db('jobs')
    .where({ id, status: 'pending' })
    .update({ attempts: u.attempts, run_at: u.run_at, last_error: u.last_error.slice(0, 2000), status: u.failed ? 'failed' : 'pending', finished_at: u.failed ? u.at : null });

/** The heartbeats row the scheduler's tick writes (read by /healthz, in any process). */
export const SCHEDULER_HEARTBEAT = 'scheduler';

/** The scheduler ticked at `at`; runningSince: a run that began then is still going (the tick ran nothing new). */
export const recordSchedulerTick = (db: Db, at: string, runningSince: string | null) =>
  db('heartbeats').insert({ name: SCHEDULER_HEARTBEAT, at, detail: runningSince }).onConflict('name').merge(['at', 'detail']);

export type JobListRow = JobRow & { last_error: string | null; created_at: string; finished_at: string | null };

/** The newest jobs first, optionally of one status (pending | done | failed). */
export const listJobs = (db: Db, filter: { status?: string; limit: number }) => {
  const q = db('jobs').orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) q.where({ status: filter.status });
  return q.select<JobListRow[]>('*');
};

export const jobById = (db: Db, id: number) => db('jobs').where({ id }).first<JobListRow | undefined>();

/** A failed job due again now, with its attempts from zero (its last error is kept until the next try). */
export const requeueFailedJob = (db: Db, id: number, now: string) =>
  db('jobs').where({ id, status: 'failed' }).update({ status: 'pending', attempts: 0, run_at: now, finished_at: null });

/** The heartbeats row that says which process runs the scheduler's turn (SQLite: see src/jobs/turns.ts). */
export const SCHEDULER_TURN = 'scheduler-turn';

/**
 * Takes the scheduler's turn for `holder` until `until`, if nobody else holds it or their hold has lapsed (a process
 * that died). SQLite: inside a BEGIN IMMEDIATE transaction, so two processes cannot both read "free".
 */
export async function takeSchedulerTurn(trx: Db, holder: string, now: string, until: string): Promise<boolean> {
  const row = await trx('heartbeats').where({ name: SCHEDULER_TURN }).first<{ at: string; detail: string | null } | undefined>('at', 'detail');
  if (row && row.detail !== holder && row.at > now) return false;
  await trx('heartbeats').insert({ name: SCHEDULER_TURN, at: until, detail: holder }).onConflict('name').merge(['at', 'detail']);
  return true;
}

/** Gives the turn back (only if this holder still has it). */
export async function releaseSchedulerTurn(db: Db, holder: string): Promise<void> {
  await db('heartbeats').where({ name: SCHEDULER_TURN, detail: holder }).del();
}
