// Several processes on one database: WEB_CONCURRENCY=2 (two web workers under node:cluster, one scheduler) on
// SQLite, and two separate servers (as on two machines) on one PostgreSQL database. Runs in the e2e project.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support';
import { createDatabase, pgRows } from '../support/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../support/postgres');

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'server.js');

type Server = { child: ChildProcess; url: string; out: () => string; exited: Promise<number | null> };

async function start(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: String(port), BCRYPT_COST: '4', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, out: () => out, exited };
}

async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, what: string, s?: Server): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await done()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${s ? `:\n${s.out()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const healthy = (s: Server) => waitFor(async () => (await fetch(`${s.url}/healthz`)).status === 200, 90_000, 'a healthy server', s);

type Res = { status: number; headers: http.IncomingHttpHeaders; body: string };
/** One request on a connection of its own (Connection: close): under a cluster each may go to another worker. */
function send(url: string, o: { method?: string; cookie?: string; form?: Record<string, string> } = {}): Promise<Res> {
  const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: o.method ?? 'GET', agent: false,
      headers: { Connection: 'close', ...(o.cookie ? { Cookie: o.cookie } : {}), ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs in as the demo subscriber; returns the cookies to send. */
async function signIn(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (r: Res) => {
    for (const c of ([] as string[]).concat(r.headers['set-cookie'] ?? [])) {
      const [pair] = c.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await send(`${base}/login`);
  keep(page);
  const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(page.body)![1];
  const res = await send(`${base}/login`, { method: 'POST', cookie: cookie(), form: { _csrf: csrf, contract: '100001', password: 'centra2026' } });
  expect(res.status).toBe(303);
  keep(res);
  return cookie();
}

const listening = (s: Server) => s.out().split('\n').filter((l) => l.includes('kabinet is listening'));

describe('WEB_CONCURRENCY=2 on SQLite', () => {
  it('serves from two workers that share the sessions, runs one scheduler, and stops them both on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-cluster-'));
    try {
      const s = await start({ DATABASE_FILE: path.join(dir, 'k.sqlite'), WEB_CONCURRENCY: '2' });
      await waitFor(() => listening(s).length === 2, 90_000, 'two workers listening', s);
      expect(listening(s).map((l) => JSON.parse(l).worker).sort()).toEqual([0, 1]);
      await healthy(s);
      const cookie = await signIn(s.url);
      // Each request on a new connection: the primary hands connections to the workers in turn.
      const pages = await Promise.all(Array.from({ length: 12 }, () => send(`${s.url}/cabinet`, { cookie })));
      expect(pages.map((p) => p.status)).toEqual(Array(12).fill(200));
      expect(pages.every((p) => p.body.includes('100001'))).toBe(true);
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.out().match(/database closed/g)).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('two servers on one PostgreSQL database (as on two machines)', () => {
  let cluster: { url: string; stop: () => void } | null = null;
  let url = '';
  beforeAll(async () => {
    cluster = await startCluster();
    url = await createDatabase(cluster!.url, 'kabinet_two_servers');
  });
  afterAll(() => cluster?.stop());

  it('serves the same portal from both with shared sessions, and charges each day once', async () => {
    const a = await start({ DATABASE_URL: url });
    await healthy(a); // the first one migrates and seeds
    const b = await start({ DATABASE_URL: url });
    await healthy(b);
    const cookie = await signIn(a.url);
    for (const s of [a, b]) {
      const page = await send(`${s.url}/cabinet`, { cookie });
      expect(page.status).toBe(200);
      expect(page.body).toContain('100001');
    }
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
    const one = async (sql: string) => Number((await pgRows<{ n: string }>(url, sql))[0].n);
    expect(await one(`select count(*) n from (select contract_id, period_from from ledger_entries where kind = 'charge' group by contract_id, period_from having count(*) > 1) x`)).toBe(0);
    expect(await one('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)')).toBe(0);
    expect(await one('select count(*) n from contracts')).toBe(200);
  });
});
