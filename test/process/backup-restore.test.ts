// `kabinet backup` and `kabinet restore` on SQLite, through the bin and the built code, against a database that
// another process is writing or a server has open. Runs in the e2e project (after the build). Waits on output, never sleeps.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { migrationSource } from '../../migrations';
import { freePort } from '../e2e/support';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'kabinet.js');
let dir: string;
let file: string;
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn', DEMO_SEED: 'false', BILLING_SCHEDULER: 'false', ...extra });
const kabinet = (args: string[], extra: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: env(extra), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

function read<T>(f: string, fn: (db: Database.Database) => T): T {
  const db = new Database(f, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const pairs = (f: string) => read(f, (db) => (db.prepare("select count(*) n from audit_log where action = 'pair'").get() as { n: number }).n);
const mismatched = (f: string) => read(f, (db) => (db.prepare('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)').get() as { n: number }).n);

type Child = { child: ChildProcess; out: () => string; exited: Promise<number | null> };
function launch(args: string[], extra: Record<string, string> = {}): Child {
  let out = '';
  const child = spawn(process.execPath, args, { cwd: root, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}
async function until(what: string, ok: () => boolean | Promise<boolean>, c: Child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${c.out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const writer = async () => {
  const w = launch([path.join(__dirname, 'pair-writer.js'), file]);
  await until('the writer to write', () => w.out().includes('writing'), w);
  return w;
};
const stop = async (c: Child) => {
  c.child.kill('SIGTERM');
  return c.exited;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-backup-'));
  file = path.join(dir, 'kabinet.sqlite');
  expect(kabinet(['seed'])).toMatchObject({ status: 0 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('kabinet backup', () => {
  it('copies a consistent database while another process writes, without holding it up', async () => {
    const w = await writer();
    try {
      const before = pairs(file) / 2;
      const r = kabinet(['backup', 'first.sqlite']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^backup written: .*first\.sqlite \(\d+\.\d MB, \d+ migrations, \d+\.\d s\)\n$/);
      const copy = path.join(dir, 'first.sqlite');
      read(copy, (db) => {
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
        expect(db.pragma('journal_mode', { simple: true })).toBe('delete'); // one self-contained file
      });
      const inCopy = pairs(copy);
      expect(inCopy % 2).toBe(0); // never half a transaction
      expect(inCopy / 2).toBeGreaterThanOrEqual(before);
      expect(mismatched(copy)).toBe(0); // every balance equals its ledger in the copy
      expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
      const more = pairs(file);
      await until('the writer to go on after the backup', () => pairs(file) > more, w);
      expect(kabinet(['backup', 'first.sqlite'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: .*first\.sqlite exists already: give a new name/) });
    } finally {
      expect(await stop(w)).toBe(0);
    }
  });
});

describe('kabinet restore', () => {
  it('refuses a file that is not a Kabinet backup, and changes nothing', () => {
    const before = pairs(file);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database at all, just some text that is long enough '.repeat(100));
    const other = new Database(path.join(dir, 'other.sqlite'));
    other.exec('create table t (x)');
    other.close();
    expect(kabinet(['restore', 'notes.txt'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: .*notes\.txt is not a SQLite database \(SQLITE_NOTADB\): not a Kabinet backup\n$/) });
    expect(kabinet(['restore', 'other.sqlite'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/other\.sqlite is a SQLite database without Kabinet's migrations/) });
    expect(kabinet(['restore', 'missing.sqlite'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/missing\.sqlite is not a file/) });
    fs.copyFileSync(path.join(dir, 'first.sqlite'), path.join(dir, 'newer.sqlite'));
    const newer = new Database(path.join(dir, 'newer.sqlite'));
    newer.prepare("insert into knex_migrations (name, batch, migration_time) values ('29990101000000_future', 9, 'x')").run();
    newer.close();
    expect(kabinet(['restore', 'newer.sqlite'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/newer\.sqlite was made by a newer Kabinet \(migration 29990101000000_future is unknown here\)/) });
    expect(kabinet(['restore'])).toMatchObject({ status: 1, stderr: 'error: usage: restore FILE [--force]\n' });
    expect(pairs(file)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  it('refuses a database a running server has open; after the server stops it restores, keeping the replaced one', async () => {
    const server = launch([path.join(root, 'dist', 'src', 'server.js')], { PORT: String(await freePort()), LOG_LEVEL: 'info' });
    try {
      await until('the server to listen', () => server.out().includes('kabinet is listening'), server);
      const before = pairs(file);
      expect(kabinet(['restore', 'first.sqlite'])).toMatchObject({
        status: 1,
        stderr: expect.stringMatching(/^error: the database .*kabinet\.sqlite is in use \(a server or another command has it open\): stop it first, or add --force/),
      });
      expect(pairs(file)).toBe(before);
    } finally {
      expect(await stop(server)).toBe(0);
    }
    const current = pairs(file);
    expect(current).toBeGreaterThan(pairs(path.join(dir, 'first.sqlite')));
    const r = kabinet(['restore', 'first.sqlite']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^the database as it was is saved in .*backups\/kabinet-before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sqlite\nrestored .*first\.sqlite into .*kabinet\.sqlite \(\d+ migrations\)\n$/);
    expect(pairs(file)).toBe(pairs(path.join(dir, 'first.sqlite')));
    const saved = path.join(dir, 'backups', fs.readdirSync(path.join(dir, 'backups'))[0]);
    expect(pairs(saved)).toBe(current);
    read(file, (db) => expect(db.pragma('journal_mode', { simple: true })).toBe('wal'));
    expect(kabinet(['jobs', 'list']).status).toBe(0); // the app opens the restored file
  });

  it('with --force replaces a database another process is writing', async () => {
    const w = await writer();
    try {
      expect(kabinet(['restore', 'first.sqlite'])).toMatchObject({ status: 1, stderr: expect.stringContaining('is in use') });
      const r = kabinet(['restore', 'first.sqlite', '--force']);
      expect(r).toMatchObject({ status: 0, stderr: '' });
      read(file, (db) => expect(db.pragma('quick_check', { simple: true })).toBe('ok'));
    } finally {
      expect(await stop(w)).toBe(0);
    }
    expect(pairs(file) % 2).toBe(0);
    expect(mismatched(file)).toBe(0);
  });
});

describe('a start that applies migrations', () => {
  it('backs the database up first into backups/ beside it and says so; a new or up-to-date database is not copied', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'upgrade-'));
    const old = path.join(sub, 'k.sqlite');
    const all = await migrationSource.getMigrations([]);
    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: old }, useNullAsDefault: true });
    await db.migrate.latest({ migrationSource: { ...migrationSource, getMigrations: async () => all.slice(0, -1) } });
    await db.destroy();

    const r = kabinet(['migrate'], { DATABASE_FILE: old, LOG_LEVEL: 'info' });
    expect(r.status).toBe(0);
    const last = migrationSource.getMigrationName(all.at(-1)!);
    const line = r.stdout.split('\n').find((l) => l.includes('before applying'));
    expect(JSON.parse(line!)).toMatchObject({ level: 30, pending: [last], msg: expect.stringMatching(/^database backed up to .*\/backups\/k-before-migrate-.*\.sqlite before applying 1 migration\(s\)$/) });
    const copies = fs.readdirSync(path.join(sub, 'backups'));
    expect(copies).toHaveLength(1);
    expect(read(path.join(sub, 'backups', copies[0]), (c) => (c.prepare('select count(*) n from knex_migrations').get() as { n: number }).n)).toBe(all.length - 1);

    expect(kabinet(['migrate'], { DATABASE_FILE: old, LOG_LEVEL: 'info' }).stdout).not.toContain('before applying');
    expect(fs.readdirSync(path.join(sub, 'backups'))).toHaveLength(1);
    const fresh = path.join(sub, 'fresh', 'new.sqlite');
    expect(kabinet(['migrate'], { DATABASE_FILE: fresh, LOG_LEVEL: 'info' }).stdout).not.toContain('before applying');
    expect(fs.existsSync(path.join(sub, 'fresh', 'backups'))).toBe(false);
  });
});
