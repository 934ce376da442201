// The built server as a process: seeding once, surviving kill -9, finishing requests on SIGTERM, and one
// clear line for a wrong setting. Runs in the e2e project (after the build).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../e2e/support';

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'server.js');
let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-proc-'));
  file = path.join(dir, 'k.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

type Server = { child: ChildProcess; url: string; out: () => string; exited: Promise<number | null> };

async function start(env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: String(port), DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, out: () => out, exited };
}

async function healthy(s: Server, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${s.url}/healthz`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become healthy:\n${s.out()}`);
}

async function waitFor(done: () => boolean, timeoutMs: number, s: Server): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting:\n${s.out()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stop(s: Server): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

function limiterRows(): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select count(*) n from rate_limits').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function counts() {
  const db = new Database(file, { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      contracts: one('select count(*) n from contracts'),
      entries: one('select count(*) n from ledger_entries'),
      payments: one('select count(*) n from payments'),
      mismatched: one('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)'),
    };
  } finally {
    db.close();
  }
}

describe('the server process', () => {
  it('seeds the demo provider once: a second start adds nothing', async () => {
    const first = await start();
    await healthy(first);
    expect(await stop(first)).toBe(0);
    const once = counts();
    expect(once.contracts).toBe(200);
    const second = await start();
    await healthy(second);
    expect(await stop(second)).toBe(0);
    expect(counts()).toEqual(once);
    expect(once.mismatched).toBe(0);
  });

  it('after a kill -9 in the middle of seeding, the next start leaves a whole demo provider', async () => {
    const victim = await start();
    await waitFor(() => victim.out().includes('seeding the demo provider'), 60_000, victim); // migrations done, seeding under way
    victim.child.kill('SIGKILL');
    await victim.exited;
    const next = await start();
    await healthy(next);
    expect(await stop(next)).toBe(0);
    const c = counts();
    expect(c.contracts).toBe(200);
    expect(c.mismatched).toBe(0);
  });

  it('on SIGTERM finishes the request in flight, closes the database and exits 0', async () => {
    const s = await start({ BCRYPT_COST: '12' }); // a sign-in takes a few hundred ms: long enough to be in flight
    await healthy(s);
    const page = await fetch(`${s.url}/login`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const inFlight = fetch(`${s.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, contract: '100001', password: 'centra2026' }),
    });
    // In flight: the sign-in has counted its try (a rate_limits row) before the slow password check.
    await waitFor(() => limiterRows() > 0, 30_000, s);
    s.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(303);
    expect(await s.exited).toBe(0);
    expect(s.out()).toContain('database closed');
  });

  it('stops with one clear line naming a wrong setting', () => {
    const r = spawnSync(process.execPath, [entry], { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATABASE_FILE: file }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['config: PORT must be a whole number from 0 to 65535 (got "eighty")']);
    const prod = spawnSync(process.execPath, [entry], { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_FILE: file }, encoding: 'utf8' });
    expect(prod.status).toBe(1);
    expect(prod.stderr.trim()).toBe('config: SESSION_SECRET is required in production (at least 32 characters)');
  });
});
