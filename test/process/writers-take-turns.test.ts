// A write waits its turn (issue 9, point 1): while another process writes to the same file 25 times a second, the
// daily charge run over several days (the CLI), two charge runs at once, and settings saves through a running
// server all finish: every day charged once, no 5xx, no "database is locked". Runs in the e2e project (after the build).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { bodyText, httpRequest, type RawResponse } from '../../bench/http';
import { freePort } from '../e2e/support';

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'src');
const CONTRACTS = 3_000;
const DAYS_BEHIND = 4;
let dir: string;
let file: string;

type Proc = { child: ChildProcess; out: () => string; exited: Promise<number | null> };
function run(args: string[], env: Record<string, string> = {}): Proc {
  let out = '';
  const child = spawn(process.execPath, args, {
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-writers-'));
  file = path.join(dir, 'k.sqlite');
  const seed = run([path.join(__dirname, 'seed-behind.js'), file, String(CONTRACTS), String(DAYS_BEHIND)]);
  expect(await seed.exited).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function state() {
  const db = new Database(file, { readonly: true });
  try {
    const days = db.prepare('select day, contracts_charged from charge_days order by day').all() as { day: string; contracts_charged: number }[];
    return {
      days: days.slice(1).map((d) => ({ rowSays: d.contracts_charged, charges: (db.prepare(`select count(*) n from ledger_entries where kind = 'charge' and period_from = ? and idempotency_key like 'charge:%'`).get(d.day) as { n: number }).n })),
      chargedTwice: (db.prepare(`select count(*) n from (select contract_id, period_from from ledger_entries where kind = 'charge' and idempotency_key like 'charge:%' group by contract_id, period_from having count(*) > 1)`).get() as { n: number }).n,
      mismatched: (db.prepare('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** A browser's cookies, enough for a development server: every Set-Cookie kept and sent back. */
function cookieJar() {
  const jar = new Map<string, string>();
  const keep = (r: RawResponse) => {
    for (const c of ([] as string[]).concat(r.headers['set-cookie'] ?? [])) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    get: async (url: string) => keep(await httpRequest(url, { headers: { Cookie: header() } })),
    post: async (url: string, form: Record<string, string>) =>
      keep(await httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: header() }, body: new URLSearchParams(form).toString() })),
  };
}
const csrfOf = (r: RawResponse) => /name="_csrf"\s+value="([^"]+)"/.exec(bodyText(r))?.[1] ?? '';

describe('writers take turns', () => {
  it('beside a process writing 25 times a second, two charge runs at once and settings saves all finish, each day charged once', async () => {
    const writer = run([path.join(__dirname, 'writer.js'), file, '40']);
    await until('the writer to start', () => writer.out().includes('writing'));
    const port = await freePort();
    const server = run([path.join(dist, 'server.js')], { PORT: String(port), BILLING_SCHEDULER: 'false', LOG_LEVEL: 'info' });
    const url = `http://127.0.0.1:${port}`;
    try {
      await until('the server to listen', async () => (await fetch(`${url}/login`).catch(() => null))?.status === 200);
      const browser = cookieJar();
      const login = await browser.get(`${url}/login`);
      expect((await browser.post(`${url}/login`, { _csrf: csrfOf(login), contract: '100001', password: 'centra2026' })).status).toBe(303);
      expect((await browser.get(`${url}/cabinet`)).status).toBe(200);

      // Two charge runs of the missed days at once, while the subscriber saves settings again and again.
      const runs = [run([path.join(dist, 'cli.js'), 'billing', 'run']), run([path.join(dist, 'cli.js'), 'billing', 'run'])];
      let runsDone = false;
      const runsExited = Promise.all(runs.map((r) => r.exited)).then((codes) => {
        runsDone = true;
        return codes;
      });
      const statuses: number[] = [];
      while (!runsDone || statuses.length < 20) {
        const page = await browser.get(`${url}/cabinet/profile/subscriptions`);
        const res = await browser.post(`${url}/cabinet/profile/subscriptions`, { _csrf: csrfOf(page), ...(statuses.length % 4 ? { 'news.email': '1' } : {}) });
        statuses.push(page.status, res.status);
      }
      expect(await runsExited).toEqual([0, 0]);
      const outs = runs.map((r) => r.out()).join('\n');
      expect(outs).not.toMatch(/database is locked|SQLITE_BUSY/i);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([200, 303]));
      expect(server.out()).not.toMatch(/database is locked|SQLITE_BUSY/i);

      const s = state();
      expect(s.days).toHaveLength(DAYS_BEHIND);
      for (const d of s.days) expect(d.charges).toBe(d.rowSays);
      // Each day was charged by one of the two runs, the other found it done: together they charged each day once.
      expect(s.days.every((d) => d.charges > CONTRACTS / 2)).toBe(true);
      expect(s.chargedTwice).toBe(0);
      expect(s.mismatched).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      writer.child.kill('SIGTERM');
      await Promise.all([server.exited, writer.exited]);
    }
    expect(writer.out()).toMatch(/wrote [1-9]\d* failed 0/);
  });
});
