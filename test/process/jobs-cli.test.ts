// `npm run jobs -- list|retry` as staff type it, on a temp database. Runs in the e2e project (after the build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

jest.setTimeout(60_000);
const entry = path.join(__dirname, '..', '..', 'dist', 'src', 'cli.js');
let dir: string;
let file: string;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn', DEMO_SEED: 'false' }, encoding: 'utf8', timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-jobs-cli-'));
  file = path.join(dir, 'k.sqlite');
  expect(cli('migrate').status).toBe(0);
  const db = new Database(file);
  const insert = db.prepare(`insert into jobs (id, kind, run_at, payload, idempotency_key, status, attempts, last_error, created_at, finished_at)
    values (?, ?, '2026-11-24T00:00:00.000Z', '{}', ?, ?, ?, ?, '2026-11-24T00:00:00.000Z', ?)`);
  insert.run(1, 'charge_day', 'charge_day:2026-11-24', 'done', 0, null, '2026-11-24T00:05:10.000Z');
  insert.run(2, 'promised_expiry', 'promised_expiry:7', 'failed', 5, 'Error: database is locked', '2026-11-24T02:00:00.000Z');
  insert.run(3, 'tariff_change', 'tariff_change:9', 'pending', 1, 'Error: once', null);
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('lists the jobs newest first, filters by state, and runs a failed one again; a job that is not failed is left alone', () => {
  const all = cli('jobs', 'list');
  expect(all.status).toBe(0);
  const lines = all.stdout.trim().split('\n');
  expect(lines[0]).toBe('id\tkind\tstate\tattempts\trun_at\tfinished_at\tkey\tlast_error');
  expect(lines[1]).toMatch(/^3\ttariff_change\tqueued\t1\t/);
  expect(lines[2]).toBe('2\tpromised_expiry\tfailed\t5\t2026-11-24T00:00:00.000Z\t2026-11-24T02:00:00.000Z\tpromised_expiry:7\tError: database is locked');
  expect(lines.at(-1)).toBe('3 job(s)');
  const failed = cli('jobs', 'list', '--state', 'failed', '--limit', '10');
  expect(failed.stdout).toContain('1 job(s)');
  expect(cli('jobs', 'list', '--state', 'lost')).toMatchObject({ status: 1, stderr: 'error: --state must be queued, done or failed\n' });

  expect(cli('jobs', 'retry', '1')).toMatchObject({ status: 1, stderr: 'error: job 1 is done, not failed: nothing changed\n' });
  expect(cli('jobs', 'retry', '3')).toMatchObject({ status: 1, stderr: 'error: job 3 is queued, not failed: nothing changed\n' });
  expect(cli('jobs', 'retry', '99')).toMatchObject({ status: 1, stderr: 'error: there is no job 99\n' });
  expect(cli('jobs', 'retry', '2')).toMatchObject({ status: 0, stdout: 'job 2 queued again: the scheduler runs it within a minute\n' });
  expect(cli('jobs', 'list', '--state', 'failed').stdout).toContain('0 job(s)');
  expect(cli('jobs', 'list', '--state', 'queued').stdout).toMatch(/^2\tpromised_expiry\tqueued\t0\t/m);
  expect(cli('jobs', 'list', '--state', 'done').stdout).toContain('1 job(s)');
});
