// `npm run outbox -- list|retry` as staff type it, on a temp database. Runs in the e2e project (after the build).
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
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn', DEMO_SEED: 'false' }, encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-outbox-cli-'));
  file = path.join(dir, 'k.sqlite');
  expect(cli('migrate').status).toBe(0);
  const db = new Database(file);
  const row = "(?, 'sms', '+79131234567', 'Плановые работы 26.11', 'maintenance', ?, ?, '2026-11-24T05:00:00.000Z', '2026-11-24T05:00:00.000Z', ?)";
  db.prepare(`insert into outbox (id, channel, recipient, body, topic, state, attempts, next_try_at, created_at, last_error) values ${row}, ${row}`)
    .run(1, 'failed', 10, 'SMS.ru 201: Не хватает средств', 2, 'sent', 1, null);
  db.prepare(`insert into outbox (id, channel, recipient, body, topic, one_time_code, state, attempts, next_try_at, created_at, expires_at, last_error)
    values (3, 'sms', '+79131234567', 'Код для смены пароля: ******', 'recovery', 1, 'failed', 4, '2026-11-24T05:15:00.000Z', '2026-11-24T05:00:00.000Z', '2026-11-24T05:10:00.000Z', 'expired (last error: down)')`).run();
  db.close();
});

it('lists the outbox newest first, filters by state, and queues a failed message again', () => {
  const all = cli('outbox', 'list');
  expect(all.status).toBe(0);
  const lines = all.stdout.trim().split('\n');
  expect(lines[0]).toContain('recipient');
  expect(lines[2]).toMatch(/^2\t.*\tsms\t\+79131234567\tmaintenance\tsent/);
  expect(lines[3]).toContain('SMS.ru 201: Не хватает средств');
  expect(lines.at(-1)).toBe('3 message(s)');
  expect(cli('outbox', 'list', '--state', 'failed').stdout).toContain('2 message(s)');
  expect(cli('outbox', 'list', '--state', 'lost')).toMatchObject({ status: 1, stderr: 'error: --state must be queued, sent or failed\n' });
  expect(cli('outbox', 'retry', '1')).toMatchObject({ status: 0, stdout: 'message 1 queued again\n' });
  expect(cli('outbox', 'retry', '1')).toMatchObject({ status: 1, stderr: 'error: message 1 is not in state failed\n' });
  expect(cli('outbox', 'list', '--state', 'queued').stdout).toContain('1 message(s)');
});

it('refuses to queue a one-time code again: it has expired and its text is masked', () => {
  const r = cli('outbox', 'retry', '3');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^error: message 3 is a one-time code: it is never sent again/);
  expect(cli('outbox', 'list', '--state', 'failed').stdout).toContain('1 message(s)');
});
