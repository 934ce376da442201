// The charge run never stops the site (issue 9, point 2): a server started several days behind listens first and
// answers while it catches the days up (in a worker thread), and SIGTERM during the catch-up exits after the day in
// hand, every finished day whole. The database is a large seed whose last charged day is DAYS_BEHIND days ago
// (test/process/seed-behind.js). Runs in the e2e project (after the build). Waits on log lines and rows, never sleeps.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../e2e/support';

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'server.js');
const CONTRACTS = 12_000; // each day takes a few hundred ms here: long enough to land requests and a SIGTERM inside
const DAYS_BEHIND = 6;
let dir: string;
let base: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-catchup-'));
  base = path.join(dir, 'base.sqlite');
  const seed = spawnSync(process.execPath, [path.join(__dirname, 'seed-behind.js'), base, String(CONTRACTS), String(DAYS_BEHIND)], { encoding: 'utf8' });
  if (seed.status !== 0) throw new Error(`seed-behind failed: ${seed.stderr}`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Server = { child: ChildProcess; url: string; out: () => string; exited: Promise<number | null>; file: string };

async function start(name: string): Promise<Server> {
  const file = path.join(dir, `${name}.sqlite`);
  fs.copyFileSync(base, file);
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: String(port), DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, out: () => out, exited, file };
}

const daysDone = (s: Server) => (s.out().match(/"msg":"charge day done"/g) ?? []).length;

async function until(what: string, ok: () => boolean | Promise<boolean>, s: Server, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${s.out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The days charged after the seed's, each with its charges and the balances as the database has them. */
function charged(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const days = db.prepare('select day, contracts_charged from charge_days order by day').all() as { day: string; contracts_charged: number }[];
    return {
      days: days.slice(1).map((d) => ({
        day: d.day,
        rowSays: d.contracts_charged,
        charges: (db.prepare(`select count(*) n from ledger_entries where kind = 'charge' and period_from = ? and idempotency_key like 'charge:%'`).get(d.day) as { n: number }).n,
      })),
      partial: (db.prepare(`select count(*) n from ledger_entries where kind = 'charge' and idempotency_key like 'charge:%' and period_from not in (select day from charge_days)`).get() as { n: number }).n,
      mismatched: (db.prepare('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

describe('a server started several days behind', () => {
  it('answers pages while it catches the missed days up, then every day is charged once', async () => {
    const s = await start('answers');
    try {
      await until('the port to open', async () => (await fetch(`${s.url}/login`).catch(() => null))?.status === 200, s);
      // Pages answered while days were still being charged (the port opened before the catch-up was over).
      let answeredDuring = 0;
      while (daysDone(s) < DAYS_BEHIND) {
        const res = await fetch(`${s.url}/login`);
        expect(res.status).toBe(200);
        if (daysDone(s) < DAYS_BEHIND) answeredDuring++;
      }
      expect(answeredDuring).toBeGreaterThan(0);
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      const c = charged(s.file);
      expect(c.days).toHaveLength(DAYS_BEHIND);
      for (const d of c.days) expect(d.charges).toBe(d.rowSays);
      expect(c.days.every((d) => d.charges > CONTRACTS / 2)).toBe(true);
      expect(c.partial).toBe(0);
      expect(c.mismatched).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('stops on SIGTERM after the day in hand: exit 0, every finished day whole, the rest left for the next start', async () => {
    const s = await start('sigterm');
    try {
      await until('the first day to be charged', () => daysDone(s) >= 1, s);
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.out()).toContain('database closed, bye');
      const c = charged(s.file);
      expect(c.days.length).toBeGreaterThanOrEqual(1);
      expect(c.days.length).toBeLessThan(DAYS_BEHIND);
      for (const d of c.days) expect(d.charges).toBe(d.rowSays); // whole days only
      expect(c.partial).toBe(0); // nothing of a day that was not finished
      expect(c.mismatched).toBe(0);
      expect(daysDone(s)).toBe(c.days.length); // each finished day was logged

      // The next start charges the rest, once.
      const next = spawn(process.execPath, [entry], { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: String(await freePort()), DATABASE_FILE: s.file, BCRYPT_COST: '4', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      next.stdout!.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => next.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 120_000;
      while (charged(s.file).days.length < DAYS_BEHIND && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      next.kill('SIGTERM');
      expect(await exited).toBe(0);
      const after = charged(s.file);
      expect(after.days).toHaveLength(DAYS_BEHIND);
      for (const d of after.days) expect(d.charges).toBe(d.rowSays);
      expect(after.mismatched).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
