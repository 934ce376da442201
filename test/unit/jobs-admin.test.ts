// Staff see failed jobs and run them again (npm run jobs -- list|retry); the scheduler then runs a retried job.
import { createJobs, listJobs, retryFailedJob } from '../../src/jobs/service';
import { makeTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const job = (key: string, status: string, over: Record<string, unknown> = {}) => ({
  kind: 'probe', run_at: '2026-11-24T04:00:00.000Z', payload: '{}', idempotency_key: key, status, attempts: 0, created_at: '2026-11-24T04:00:00.000Z', ...over,
});

describe('jobs for staff', () => {
  it('lists the newest jobs first, by state (queued is the table\'s pending), within the limit', async () => {
    await t.ctx.db('jobs').insert([
      job('a', 'done', { finished_at: '2026-11-24T04:00:01.000Z' }),
      job('b', 'failed', { attempts: 5, last_error: 'Error: gateway down', finished_at: '2026-11-24T04:30:00.000Z' }),
      job('c', 'pending'),
    ]);
    expect((await listJobs(t.ctx, { limit: 50 })).map((r) => [r.idempotency_key, r.state])).toEqual([['c', 'queued'], ['b', 'failed'], ['a', 'done']]);
    expect(await listJobs(t.ctx, { state: 'failed', limit: 50 })).toEqual([expect.objectContaining({ idempotency_key: 'b', attempts: 5, last_error: 'Error: gateway down', state: 'failed' })]);
    expect((await listJobs(t.ctx, { state: 'queued', limit: 50 })).map((r) => r.idempotency_key)).toEqual(['c']);
    expect((await listJobs(t.ctx, { limit: 2 })).map((r) => r.idempotency_key)).toEqual(['c', 'b']);
  });

  it('runs a job that gave up again: due now, attempts from zero, and the scheduler does it', async () => {
    let calls = 0;
    const jobs = createJobs(t.ctx, {
      probe: async () => {
        calls++;
      },
    });
    const [{ id }] = await t.ctx.db('jobs').insert(job('b', 'failed', { attempts: 5, run_at: '2026-11-24T06:00:00.000Z', last_error: 'Error: down', finished_at: '2026-11-24T04:30:00.000Z' })).returning('id');
    expect(await retryFailedJob(t.ctx, id)).toEqual({ kind: 'queued' });
    expect(await t.ctx.db('jobs').where({ id }).first()).toMatchObject({ status: 'pending', attempts: 0, run_at: '2026-11-24T05:00:00.000Z', finished_at: null });
    expect(await jobs.runDue()).toEqual({ done: 1, failed: 0 });
    expect(calls).toBe(1);
  });

  it('leaves a job that is not failed alone, and says so', async () => {
    const [{ id: done }] = await t.ctx.db('jobs').insert(job('a', 'done', { finished_at: '2026-11-24T04:00:01.000Z' })).returning('id');
    const [{ id: queued }] = await t.ctx.db('jobs').insert(job('c', 'pending', { run_at: '2026-11-25T00:00:00.000Z' })).returning('id');
    const before = await t.ctx.db('jobs').orderBy('id');
    expect(await retryFailedJob(t.ctx, done)).toEqual({ kind: 'not-failed', state: 'done' });
    expect(await retryFailedJob(t.ctx, queued)).toEqual({ kind: 'not-failed', state: 'queued' });
    expect(await retryFailedJob(t.ctx, 999)).toEqual({ kind: 'missing' });
    expect(await t.ctx.db('jobs').orderBy('id')).toEqual(before);
  });
});
