// `node dist/src/cli.js copy-to-postgres --to postgres://…` as an operator types it: the demo database (the `seed`
// command's) copied into an empty PostgreSQL database, the counts and the verdict printed, exit 0, the same balances on
// both sides; a second copy into the now filled database, a source with a pending migration, no --to and a missing
// source: one line on stderr and exit 1. Runs in the e2e project (after the build), on the suite's PostgreSQL when
// there is one (KABINET_TEST_DATABASE_URL), else on a throwaway cluster of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createDatabase, pgRows } from '../support/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../support/postgres');

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'cli.js');
let dir: string;
let file: string;
let admin: string;
let stopCluster: (() => void) | null = null;

function cli(args: string[], databaseFile = file) {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: databaseFile, BCRYPT_COST: '4', LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let databases = 0;
async function emptyDatabase(): Promise<string> {
  const name = `kabinet_copy_cli_${process.pid}_${++databases}`;
  await pgRows(admin, `drop database if exists ${name} with (force)`);
  return createDatabase(admin, name);
}

const BALANCES = 'select number, balance_kopecks from contracts order by number';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-copy-'));
  file = path.join(dir, 'k.sqlite');
  if (process.env.KABINET_TEST_DATABASE_URL) {
    admin = process.env.KABINET_TEST_DATABASE_URL;
  } else {
    const cluster = await startCluster();
    admin = cluster.url;
    stopCluster = cluster.stop;
  }
  const seed = cli(['seed']);
  if (seed.status !== 0) throw new Error(`seed failed: ${seed.stderr}`);
});
afterAll(() => {
  stopCluster?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('copy-to-postgres', () => {
  let target: string;

  it('copies the demo database into an empty one, prints the counts and an OK verdict, exit 0, and the balances are the same', async () => {
    target = await emptyDatabase();
    const r = cli(['copy-to-postgres', '--to', target]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const shown = new URL(target);
    if (shown.password) shown.password = '***'; // never the password itself
    expect(lines[0]).toBe(`copying ${file} into ${shown}`);
    expect(lines).toContainEqual(expect.stringMatching(/^contracts\s+200\s+200$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ledger_entries\s+[\d,]+\s+[\d,]+$/));
    // every table of the source but knex's own (the migrations' bookkeeping), however many later issues add
    const source = new Database(file, { readonly: true });
    const tables = (source.prepare("select name from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like 'knex\\_migrations%' escape '\\'").all() as unknown[]).length;
    source.close();
    expect(tables).toBeGreaterThan(40);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^verdict: OK: ${tables} tables, [\\d,]+ rows; 200 contracts, each balance equal to its ledger and the same on both sides$`));
    const sqlite = new Database(file, { readonly: true });
    const before = sqlite.prepare(BALANCES).all();
    sqlite.close();
    expect(await pgRows(target, BALANCES)).toEqual(before);
  });

  it('refuses the same database again, now that it is not empty: one line, exit 1', () => {
    const r = cli(['copy-to-postgres', '--to', target]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: the target database is not empty \(rows in .+\): copy only into an empty database$/)]);
  });

  it('refuses a source with a pending migration, and leaves the target untouched', async () => {
    const older = path.join(dir, 'older.sqlite');
    fs.copyFileSync(file, older);
    const db = new Database(older);
    const last = db.prepare('select id, name from knex_migrations order by id desc limit 1').get() as { id: number; name: string };
    db.prepare('delete from knex_migrations where id = ?').run(last.id);
    db.close();
    const fresh = await emptyDatabase();
    const r = cli(['copy-to-postgres', '--to', fresh], older);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`error: the source database has 1 pending migration(s) (${last.name}): apply them first (\`kabinet migrate\` with DATABASE_FILE set to it), then copy`]);
    expect(await pgRows(fresh, `select table_name from information_schema.tables where table_schema = 'public'`)).toEqual([]);
  });

  it('asks for --to, and refuses a source file that is not there', async () => {
    expect(cli(['copy-to-postgres'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: usage: copy-to-postgres --to postgres:\/\//) });
    expect(cli(['copy-to-postgres', '--to', 'mysql://x@y/z'])).toMatchObject({ status: 1, stderr: 'error: --to must be a postgres:// URL, not "mysql://x@y/z"\n' });
    const missing = path.join(dir, 'nothing-here.sqlite');
    expect(cli(['copy-to-postgres', '--to', await emptyDatabase()], missing)).toMatchObject({ status: 1, stderr: `error: there is no SQLite database at ${missing} (DATABASE_FILE) to copy\n` });
    expect(fs.existsSync(missing)).toBe(false);
  });
});
