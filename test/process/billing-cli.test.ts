// `node dist/src/cli.js billing run --date ...` as ops type it: one clear line and exit 1 for a day that has not
// come or is not a day; exit 0 and "nothing to do" for a day charged already. Runs in the e2e project (after the build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addDays } from '../../src/lib/dates';

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'cli.js');
let dir: string;
let file: string;

/** The CLI in a temp dir (no .env of the project is read), on the test's database. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}
const ledgerRows = () => query<{ n: number }>('select count(*) n from ledger_entries').n;

let seeded: string; // the day the seed charged (its today)

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-cli-'));
  file = path.join(dir, 'k.sqlite');
  const seed = cli('seed:large', '--contracts', '30');
  if (seed.status !== 0) throw new Error(`seed:large failed: ${seed.stderr}`);
  seeded = query<{ day: string }>('select max(day) day from charge_days').day;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('billing run --date', () => {
  it('refuses a day that has not come yet with one line, exit 1, and charges nothing', () => {
    const rows = ledgerRows();
    const r = cli('billing', 'run', '--date', '2099-01-01');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: 2099-01-01 has not come yet in Asia\/Novokuznetsk \(today is \d{4}-\d{2}-\d{2}\)$/)]);
    expect(ledgerRows()).toBe(rows);
  });

  it.each(['2026-02-30', '2026-13-01', '24.11.2026', '2026-11-24x', 'tomorrow', ''])('refuses "%s", which is not a day, with one line and exit 1', (date) => {
    const r = cli('billing', 'run', '--date', date);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`error: --date must be a day like 2026-11-24, not "${date}"`]);
  });

  it('says what it expects when the subcommand is not run', () => {
    const r = cli('billing', 'go', '--date', seeded);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: usage: billing run --date YYYY-MM-DD');
  });

  it('says "nothing to do" for a day charged already, or an earlier one, exits 0 and writes nothing', () => {
    const rows = ledgerRows();
    for (const day of [seeded, addDays(seeded, -40)]) {
      const r = cli('billing', 'run', '--date', day);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout.trim().split('\n')).toEqual([`${day} is charged already (days are charged through ${seeded}): nothing to do`]);
    }
    expect(ledgerRows()).toBe(rows);
  });
});
