// `kabinet backup` and `kabinet restore` on PostgreSQL (pg_dump/pg_restore), through the bin and the built code, on
// a throwaway cluster of the test's own (test/support/postgres.js). Runs in the e2e project (after the build).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support';
import { pgRows } from '../support/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster, withDatabase } = require('../support/postgres');

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'kabinet.js');
let cluster: { url: string; stop: () => void };
let url: string;
let dir: string;
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_URL: url, BCRYPT_COST: '4', LOG_LEVEL: 'warn', DEMO_SEED: 'false', ...extra });
const kabinet = (args: string[], extra: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: env(extra), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const query = <T>(sql: string, on = url): Promise<T[]> => pgRows<T>(on, sql);
const payments = async () => Number((await query<{ n: string }>('select count(*) n from payments'))[0].n);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-pg-backup-'));
  cluster = await startCluster();
  await pgRows(cluster.url, 'create database kabinet_backup');
  await pgRows(cluster.url, 'create database not_kabinet');
  url = withDatabase(cluster.url, 'kabinet_backup');
  expect(kabinet(['seed'])).toMatchObject({ status: 0 });
});
afterAll(() => {
  cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('on PostgreSQL', () => {
  it('backs up with pg_dump, refuses what is not a backup or a database in use, restores with pg_restore', async () => {
    const before = await payments();
    const b = kabinet(['backup', 'backups/first.dump']);
    expect(b.stderr).toBe('');
    expect(b.stdout).toMatch(/^backup written: .*backups\/first\.dump \(\d+\.\d MB, \d+ migrations, \d+\.\d s\)\n$/);
    expect(fs.readFileSync(path.join(dir, 'backups', 'first.dump')).subarray(0, 5).toString()).toBe('PGDMP'); // custom format

    fs.writeFileSync(path.join(dir, 'notes.txt'), 'just text');
    expect(kabinet(['restore', 'notes.txt'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/notes\.txt is not a pg_dump archive in custom format: not a Kabinet backup\n$/) });
    await query('create table t (x int)', withDatabase(cluster.url, 'not_kabinet'));
    expect(kabinet(['backup', 'other.dump'], { DATABASE_URL: withDatabase(cluster.url, 'not_kabinet') }).status).toBe(0);
    expect(kabinet(['restore', 'other.dump'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/other\.dump is a pg_dump archive without Kabinet's migrations/) });

    await query("insert into audit_log (at, actor, action) values ('2026-01-01T00:00:00.000Z', 'system', 'after-backup')");
    const server = spawn(process.execPath, [path.join(root, 'dist', 'src', 'server.js')], { cwd: root, env: env({ PORT: String(await freePort()), LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => server.on('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('kabinet is listening') || !(await query("select 1 from heartbeats where name = 'scheduler'")).length) {
        if (Date.now() > deadline) throw new Error(`the server did not start:\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const refused = kabinet(['restore', 'backups/first.dump']);
      expect(refused).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: the database is in use \((\d+ session\(s\) of kabinet from 127\.0\.0\.1|the scheduler ticked at .*)\): stop every Kabinet process first, or add --force\n$/) });
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The server stopped; its last tick is young, so restore watches until it is 75 s old (here 70 s old already).
    await query(`update heartbeats set at = '${new Date(Date.now() - 70_000).toISOString()}'`);

    const r = kabinet(['restore', 'backups/first.dump']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^the scheduler ticked 7\d s ago: watching \d s more for a running Kabinet process\nthe database as it was is saved in .*backups\/database-before-restore-.*\.dump\nrestored .*first\.dump into postgres:\/\/kabinet(:\*\*\*)?@127\.0\.0\.1:\d+\/kabinet_backup \(\d+ migrations\)\n$/);
    expect(await payments()).toBe(before);
    expect(await query("select 1 from audit_log where action = 'after-backup'")).toEqual([]);
    const mismatched = await query<{ n: number }>('select count(*)::int n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)');
    expect(mismatched).toEqual([{ n: 0 }]);
    // The ledger is append-only again after the restore (its triggers came back with it).
    await expect(query('delete from ledger_entries where id = 1')).rejects.toThrow(/append-only/);
    expect(kabinet(['jobs', 'list']).status).toBe(0);
  });
});
