// DATABASE_URL's bad input: a malformed URL, an unreachable server, a wrong password, a missing database, and a
// database (on either engine) that a newer Kabinet migrated: one clear line, exit 1, nothing written, no password
// shown. Runs in the e2e project (after the build), with a throwaway PostgreSQL cluster of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pgRows } from '../support/engine';
import { freePort } from '../e2e/support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster, withDatabase } = require('../support/postgres');

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..');
let dir: string;
let cluster: { url: string; stop: () => void };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-dburl-'));
  cluster = await startCluster();
});
afterAll(() => {
  cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (script: string, env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'src', script), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: '0', BCRYPT_COST: '4', LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const sql = (url: string, text: string) => pgRows(url, text);

describe('DATABASE_URL that cannot be used', () => {
  it('refuses a malformed URL with one line that does not repeat it', () => {
    const r = run('server.js', { DATABASE_URL: 'postgres://kabinet:secret@' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('config: DATABASE_URL is not a valid URL: postgres://user:password@host:5432/database\n');
    const other = run('server.js', { DATABASE_URL: 'mysql://kabinet:secret@db/kabinet' });
    expect(other.stderr).toMatch(/^config: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL[^\n]*\n$/);
    expect(other.stderr).not.toContain('secret');
  });

  it('names an unreachable server in one line, without the password', async () => {
    const port = await freePort();
    const r = run('server.js', { DATABASE_URL: `postgres://kabinet:secret@127.0.0.1:${port}/kabinet` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^kabinet: cannot connect to PostgreSQL postgres://kabinet:\\*\\*\\*@127\\.0\\.0\\.1:${port}/kabinet: [^\\n]*ECONNREFUSED[^\\n]*\\n$`));
    expect(r.stderr).not.toContain('secret');
  });

  it('says the password was wrong, and that a database does not exist', async () => {
    const u = new URL(cluster.url);
    u.password = 'wrong-password';
    const wrong = run('cli.js', { DATABASE_URL: u.toString() }, 'migrate');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^error: cannot connect to PostgreSQL postgres:\/\/kabinet:\*\*\*@[^\n]*: 28P01 password authentication failed for user "kabinet"\n$/);
    const missing = run('cli.js', { DATABASE_URL: withDatabase(cluster.url, 'no_such_db') }, 'migrate');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot connect to PostgreSQL [^\n]*: 3D000 database "no_such_db" does not exist\n$/);
  });

  it('refuses a PostgreSQL database a newer version migrated, writing nothing', async () => {
    await sql(cluster.url, 'create database newer');
    const url = withDatabase(cluster.url, 'newer');
    expect(run('cli.js', { DATABASE_URL: url }, 'migrate').status).toBe(0);
    await sql(url, `insert into knex_migrations (name, batch, migration_time) values ('20991231000000_from_the_future', 99, now())`);
    const before = await sql(url, 'select count(*)::int n from towns');
    const r = run('server.js', { DATABASE_URL: url });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^kabinet: the database postgres:\/\/[^\n]* has migrations this version does not know \(20991231000000_from_the_future\): it was migrated by a newer Kabinet; run that version or restore a backup\n$/);
    expect(await sql(url, 'select count(*)::int n from towns')).toEqual(before); // not seeded
  });

  it('refuses a SQLite file a newer version migrated, writing nothing', () => {
    const file = path.join(dir, 'newer.sqlite');
    expect(run('cli.js', { DATABASE_FILE: file }, 'migrate').status).toBe(0);
    const db = new Database(file);
    db.prepare(`insert into knex_migrations (name, batch, migration_time) values ('20991231000000_from_the_future', 99, ?)`).run(new Date().toISOString());
    db.close();
    const r = run('server.js', { DATABASE_FILE: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has migrations this version does not know \(20991231000000_from_the_future\)/);
    const after = new Database(file, { readonly: true });
    expect((after.prepare('select count(*) n from towns').get() as { n: number }).n).toBe(0);
    after.close();
  });
});
