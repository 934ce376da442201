import { billingJobHandlers, scheduleBillingDay } from '../../src/billing/jobs';
import { startOfDay } from '../../src/lib/dates';
import { createJobs, JOB_LEASE_MS } from '../../src/jobs/service';
import { startScheduler } from '../../src/schedule';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const TZ = 'Asia/Novokuznetsk';
const daysDone = () => t.ctx.db('charge_days').orderBy('day').pluck('day');

describe('the scheduler after downtime', () => {
  it('queues one charge run per missed day and runs them in day order, between the other jobs of those days', async () => {
    t.clock.set('2026-11-01T05:00:00.000Z');
    const c = await makeContract(t.ctx, { payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    await t.ctx.db('charge_days').insert({ day: '2026-11-20', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
    t.clock.set('2026-11-24T05:00:00.000Z'); // back after three missed days
    const seenByProbe: string[][] = [];
    const jobs = createJobs(t.ctx, { ...billingJobHandlers(t.ctx), probe: async () => void seenByProbe.push(await daysDone()) });
    await jobs.enqueue('probe', new Date(startOfDay('2026-11-22', TZ).getTime() + 60_000), 'probe:22'); // 22.11 00:01
    await scheduleBillingDay(t.ctx, jobs);
    await scheduleBillingDay(t.ctx, jobs); // a second tick queues nothing more
    expect(await t.ctx.db('jobs').where({ kind: 'charge_day' }).orderBy('run_at').pluck('idempotency_key')).toEqual([
      'charge_day:2026-11-21', 'charge_day:2026-11-22', 'charge_day:2026-11-23', 'charge_day:2026-11-24',
    ]);
    expect(await jobs.runDue()).toEqual({ done: 5, failed: 0 });
    expect(seenByProbe).toEqual([['2026-11-20', '2026-11-21']]); // the probe of 22.11 00:01 ran before that day's charges
    expect(await daysDone()).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect(Number((await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).count({ n: '*' }).first())?.n)).toBe(4);
  });

  it('retries a failing job later and gives up after five attempts', async () => {
    let calls = 0;
    const failing = createJobs(t.ctx, {
      flaky: async () => {
        calls++;
        throw new Error('gateway down');
      },
    });
    await failing.enqueue('flaky', t.clock.now(), 'flaky:1');
    for (let i = 0; i < 5; i++) {
      expect(await failing.runDue()).toEqual({ done: 0, failed: 1 });
      expect(await failing.runDue()).toEqual({ done: 0, failed: 0 }); // not due again yet
      t.clock.advance(2 * 60 * 60_000);
    }
    expect(calls).toBe(5);
    expect(await t.ctx.db('jobs').where({ idempotency_key: 'flaky:1' }).first()).toMatchObject({ status: 'failed', attempts: 5, last_error: 'Error: gateway down' });
  });
});

describe('claiming jobs', () => {
  it('runs each due job once when two runners (two processes) take the due jobs at the same time', async () => {
    const ran: string[] = [];
    const handlers = { probe: async (p: Record<string, unknown>) => void ran.push(String(p.n)) };
    const a = createJobs(t.ctx, handlers);
    const b = createJobs(t.ctx, handlers);
    for (let n = 0; n < 12; n++) await a.enqueue('probe', t.clock.now(), `probe:${n}`, { n });
    const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
    expect(ra.done + rb.done).toBe(12);
    expect(ran.sort()).toEqual(Array.from({ length: 12 }, (_, n) => String(n)).sort());
    expect(await t.ctx.db('jobs').where({ status: 'done' }).pluck('idempotency_key')).toHaveLength(12);
  });

  it('leaves a claimed job to its process, and claims it again when its process died running it (the lease ran out)', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = createJobs(t.ctx, { probe: async () => { calls++; await held; } });
    const other = createJobs(t.ctx, { probe: async () => void calls++ });
    await slow.enqueue('probe', t.clock.now(), 'probe:1');
    const running = slow.runDue(); // claims the job and waits inside its handler
    while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await other.runDue()).toEqual({ done: 0, failed: 0 }); // not due while claimed
    t.clock.advance(JOB_LEASE_MS + 1); // as if the first process had died
    expect(await other.runDue()).toEqual({ done: 1, failed: 0 });
    release();
    await running; // the first one finishing late changes nothing
    expect(calls).toBe(2);
    expect(await t.ctx.db('jobs').where({ idempotency_key: 'probe:1' }).first()).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('gives up a job whose process died running it five times', async () => {
    await t.ctx.db('jobs').insert({ kind: 'probe', run_at: t.clock.now().toISOString(), payload: '{}', idempotency_key: 'probe:dies', status: 'pending', attempts: 5, created_at: t.clock.now().toISOString() });
    let calls = 0;
    expect(await createJobs(t.ctx, { probe: async () => void calls++ }).runDue()).toEqual({ done: 0, failed: 0 });
    expect(calls).toBe(0);
    expect(await t.ctx.db('jobs').where({ idempotency_key: 'probe:dies' }).first()).toMatchObject({ status: 'failed', last_error: 'the process running it stopped 5 times' });
  });
});

describe('the scheduler heartbeat', () => {
  it('writes the time of each tick to the heartbeats table, where /healthz of any process reads it', async () => {
    const scheduler = startScheduler(t.ctx); // ticks once at start, then every minute
    try {
      await scheduler.stop(); // waits for the tick in hand
      expect(await t.ctx.db('heartbeats').where({ name: 'scheduler' }).first()).toEqual({ name: 'scheduler', at: '2026-11-24T05:00:00.000Z', detail: null });
    } finally {
      await scheduler.stop();
    }
  });

  it('removes expired sessions in its tick and keeps the live ones', async () => {
    const row = (sid: string, expired: string) => ({ sid, sess: '{}', expired });
    await t.ctx.db('sessions').insert([row('old', '2026-11-24T04:59:59.000Z'), row('live', '2026-11-24T05:00:01.000Z')]);
    const scheduler = startScheduler(t.ctx);
    await scheduler.stop(); // waits for the tick in hand
    expect(await t.ctx.db('sessions').orderBy('sid').pluck('sid')).toEqual(['live']);
  });
});
