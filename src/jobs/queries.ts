import type { Db } from '../db';

export type JobRow = { id: number; kind: string; run_at: string; payload: string; idempotency_key: string; status: string; attempts: number };

/** Adds a job unless one with the same key exists (done or not). */
export const enqueueJob = (db: Db, job: { kind: string; run_at: string; payload: unknown; idempotency_key: string; created_at: string }) =>
  db('jobs')
    .insert({ ...job, payload: JSON.stringify(job.payload ?? {}), status: 'pending', attempts: 0 })
    .onConflict('idempotency_key')
    .ignore();

export const dueJobs = (db: Db, now: string, limit: number) =>
  db('jobs').where({ status: 'pending' }).where('run_at', '<=', now).orderBy([{ column: 'run_at' }, { column: 'id' }]).limit(limit).select<JobRow[]>('*');

export const finishJob = (db: Db, id: number, at: string) => db('jobs').where({ id, status: 'pending' }).update({ status: 'done', finished_at: at });

export const retryJob = (db: Db, id: number, u: { attempts: number; run_at: string; last_error: string; failed: boolean; at: string }) =>
  db('jobs')
    .where({ id, status: 'pending' })
    .update({ attempts: u.attempts, run_at: u.run_at, last_error: u.last_error.slice(0, 2000), status: u.failed ? 'failed' : 'pending', finished_at: u.failed ? u.at : null });
