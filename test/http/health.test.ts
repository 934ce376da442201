// GET /healthz tells the truth: the database accepts a write, the scheduler ticked lately, yesterday is charged;
// the outbox backlog and failed work are shown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { migrate, openDb } from '../../src/db';
import { createHealthService } from '../../src/health/service';
import { makeTestApp, type TestApp } from '../support/app';
import { fillDisk, heartbeatFiller, makeReadOnly } from '../support/disk';
import { itSqlite } from '../support/engine';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp(); // 2026-11-24 12:00 in Novokuznetsk
});
afterEach(() => t.close());

const at = (iso: string) => ({ next_try_at: iso, created_at: '2026-11-24T04:00:00.000Z' });
const message = (state: string, nextTry: string) => ({ channel: 'sms', recipient: '+79131234567', body: 'текст', topic: 'maintenance', state, attempts: 1, ...at(nextTry) });
const job = (key: string, status: string, runAt: string) => ({ kind: 'x', run_at: runAt, payload: '{}', idempotency_key: key, status, attempts: 5, created_at: '2026-11-24T00:00:00.000Z' });

async function healthyState() {
  await t.ctx.db('heartbeats').insert({ name: 'scheduler', at: '2026-11-24T04:59:20.000Z' }); // 40 s ago
  await t.ctx.db('charge_days').insert([
    { day: '2026-11-23', contracts_charged: 0, total_kopecks: 0, finished_at: '2026-11-22T17:05:00.000Z' },
    { day: '2026-11-24', contracts_charged: 0, total_kopecks: 0, finished_at: '2026-11-23T17:05:00.000Z' },
  ]);
}

describe('GET /healthz', () => {
  it('answers 200 with the checks, the outbox backlog and failed work when all is well', async () => {
    await healthyState();
    await t.ctx.db('outbox').insert([
      message('queued', '2026-11-24T04:30:00.000Z'), // due
      message('queued', '2026-11-24T06:00:00.000Z'), // waits (quiet hours, a retry)
      message('failed', '2026-11-24T04:00:00.000Z'),
      message('sent', '2026-11-24T04:00:00.000Z'),
    ]);
    await t.ctx.db('jobs').insert([job('a', 'failed', '2026-11-23T00:00:00.000Z'), job('b', 'pending', '2026-11-24T04:00:00.000Z'), job('c', 'done', '2026-11-24T04:00:00.000Z')]);
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'ok', at: '2026-11-24T05:00:00.000Z' },
        scheduler: { status: 'ok', lastTickAt: '2026-11-24T04:59:20.000Z', runningSince: null },
        billing: { status: 'ok', yesterday: '2026-11-23', lastChargedDay: '2026-11-24' },
      },
      outbox: { queued: 2, due: 1, failed: 1 },
      jobs: { due: 1, failed: 1 },
    });
    expect(await t.ctx.db('heartbeats').where({ name: 'health' }).first()).toMatchObject({ at: '2026-11-24T05:00:00.000Z' });
  });

  itSqlite('answers 503 naming SQLITE_FULL when the disk is full', async () => {
    await healthyState();
    await fillDisk(t.ctx.db, [heartbeatFiller]);
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'fail', checks: { database: { status: 'fail', error: 'SQLITE_FULL' }, scheduler: { status: 'ok' }, billing: { status: 'ok' } } });
  });

  itSqlite('answers 503 naming SQLITE_READONLY when the database cannot be written', async () => {
    await healthyState();
    await makeReadOnly(t.ctx.db);
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toMatchObject({ status: 'fail', error: 'SQLITE_READONLY' });
  });

  it('answers 503 when the scheduler has not ticked for over 3 minutes, or never', async () => {
    await healthyState();
    await t.ctx.db('heartbeats').where({ name: 'scheduler' }).update({ at: '2026-11-24T04:56:59.000Z' }); // 3 min 1 s ago
    const stale = await request(t.app).get('/healthz');
    expect(stale.status).toBe(503);
    expect(stale.body.checks.scheduler).toEqual({ status: 'stale', lastTickAt: '2026-11-24T04:56:59.000Z', runningSince: null });
    await t.ctx.db('heartbeats').where({ name: 'scheduler' }).delete();
    const never = await request(t.app).get('/healthz');
    expect(never.status).toBe(503);
    expect(never.body.checks.scheduler.status).toBe('never');
  });

  it('answers 503 when a run of the scheduler has been going for over 30 minutes', async () => {
    await healthyState();
    await t.ctx.db('heartbeats').where({ name: 'scheduler' }).update({ detail: '2026-11-24T04:29:00.000Z' });
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.checks.scheduler).toMatchObject({ status: 'stuck', runningSince: '2026-11-24T04:29:00.000Z' });
  });

  it('answers 503 when yesterday (provider day) is not charged', async () => {
    await healthyState();
    await t.ctx.db('charge_days').where({ day: '2026-11-23' }).delete();
    await t.ctx.db('charge_days').insert({ day: '2026-11-22', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.checks.billing).toEqual({ status: 'behind', yesterday: '2026-11-23', lastChargedDay: '2026-11-24' });
  });

  it('counts billing as up to date on a new installation whose first charged day is today', async () => {
    await t.ctx.db('heartbeats').insert({ name: 'scheduler', at: '2026-11-24T05:00:00.000Z' });
    await t.ctx.db('charge_days').insert({ day: '2026-11-24', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    await t.ctx.db('charge_days').delete(); // nothing charged at all
    expect((await request(t.app).get('/healthz')).body.checks.billing.status).toBe('behind');
  });

  itSqlite('never waits for the write lock: another process holding it makes the probe "busy", not a failure', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-health-'));
    const file = path.join(dir, 'k.sqlite');
    const db = openDb(file);
    const other = new Database(file);
    try {
      await migrate(db);
      const ctx = { ...t.ctx, db };
      await db('heartbeats').insert({ name: 'scheduler', at: '2026-11-24T05:00:00.000Z' });
      await db('charge_days').insert({ day: '2026-11-23', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
      await db.raw('pragma busy_timeout = 5000'); // as if the connection waited long for locks (db.ts keeps it short)
      other.exec('BEGIN IMMEDIATE'); // e.g. a charge run in a worker thread or another process
      const started = Date.now();
      const report = await createHealthService(ctx).check();
      expect(Date.now() - started).toBeLessThan(1000); // the probe sets busy_timeout 0 for itself
      expect(report.checks.database.status).toBe('busy');
      expect(report.status).toBe('ok');
      other.exec('COMMIT');
      await db.raw('insert into towns (slug, name, position) values (?, ?, ?)', ['x', 'X', 1]); // busy_timeout restored, connection usable
      expect(await db.raw('pragma busy_timeout')).toEqual([{ timeout: 5000 }]);
    } finally {
      other.close();
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  itSqlite('skips the probe while a transaction is open on its connection (its own writes will tell)', async () => {
    await healthyState();
    await request(t.app).get('/healthz'); // the app's first request has taken the pool's connection as its "hot" one
    const trx = await t.ctx.db.transaction(); // the pool's one connection is in a transaction: the probe skips
    const health = createHealthService(t.ctx);
    try {
      const started = Date.now();
      const report = await health.check();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(report.checks.database.status).toBe('skipped');
      expect(report.status).toBe('ok');
    } finally {
      await trx.rollback();
    }
  });

  it('writes the probe at most once in 1.5 s (its heartbeat keeps the time of the write)', async () => {
    await healthyState();
    const health = createHealthService(t.ctx);
    const probeAt = async () => (await t.ctx.db('heartbeats').where({ name: 'health' }).first('at'))?.at;
    await health.check();
    const first = t.clock.now().toISOString();
    expect(await probeAt()).toBe(first);
    t.clock.advance(1_000);
    expect((await health.check()).checks.database).toMatchObject({ status: 'ok', at: first }); // the cached result
    expect(await probeAt()).toBe(first);
    t.clock.advance(500);
    await health.check();
    expect(await probeAt()).toBe(t.clock.now().toISOString());
  });

  itSqlite('writes the probe at most once in 1.5 s: a read-only database is seen after that', async () => {
    await healthyState();
    const health = createHealthService(t.ctx);
    await health.check();
    await makeReadOnly(t.ctx.db);
    expect((await health.check()).checks.database.status).toBe('ok'); // the cached result
    t.clock.advance(1_500);
    expect((await health.check()).checks.database).toMatchObject({ status: 'fail', error: 'SQLITE_READONLY' });
  });
});
