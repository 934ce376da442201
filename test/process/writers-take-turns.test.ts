// A write waits its turn (issue 9, point 1): while another process writes to the same file 25 times a second, the
// daily charge run over several days (the CLI), two charge runs at once, settings saves and card payments settled by
// the gateway's notifications through a running server all finish: every day charged once, every payment credited
// once, no 5xx, no "database is locked". Runs in the e2e project (after the build).
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

/** The card payments of one contract as the database has them, each with the ledger entries under its gateway key. */
function paymentsOf(contractNumber: string) {
  const db = new Database(file, { readonly: true });
  try {
    const c = db.prepare('select id, balance_kopecks from contracts where number = ?').get(contractNumber) as { id: number; balance_kopecks: number };
    const rows = db.prepare(`select id, amount_kopecks, status, ledger_entry_id, gateway_payment_id from payments where contract_id = ? and gateway = 'sandbox' order by id`).all(c.id) as
      { id: number; amount_kopecks: number; status: string; ledger_entry_id: number | null; gateway_payment_id: string }[];
    const entries = db.prepare(`select id, contract_id, amount_kopecks from ledger_entries where kind = 'payment' and idempotency_key = ?`);
    return {
      contractId: c.id,
      payments: rows.map((p) => ({ ...p, entries: entries.all(`gateway_payment:sandbox:${p.gateway_payment_id}`) as { id: number; contract_id: number; amount_kopecks: number }[] })),
      gatewayCredits: (db.prepare(`select count(*) n from ledger_entries where contract_id = ? and kind = 'payment' and idempotency_key like 'gateway_payment:sandbox:%'`).get(c.id) as { n: number }).n,
      balance: c.balance_kopecks,
      ledgerSum: (db.prepare('select coalesce(sum(amount_kopecks), 0) s from ledger_entries where contract_id = ?').get(c.id) as { s: number }).s,
    };
  } finally {
    db.close();
  }
}

/** YooKassa's notification as the sandbox sends it (settle() believes only the gateway's own answer, not this body). */
const notificationOf = (sandboxId: string, amountRubles: number) =>
  JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: sandboxId, status: 'succeeded', amount: { value: `${amountRubles}.00`, currency: 'RUB' } } });

describe('writers take turns', () => {
  it('beside a process writing 25 times a second, two charge runs at once, settings saves and card payments settled by notifications all finish: each day charged once, each payment credited once', async () => {
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
      const saveSettings = async () => {
        while (!runsDone || statuses.length < 20) {
          const page = await browser.get(`${url}/cabinet/profile/subscriptions`);
          const res = await browser.post(`${url}/cabinet/profile/subscriptions`, { _csrf: csrfOf(page), ...(statuses.length % 4 ? { 'news.email': '1' } : {}) });
          statuses.push(page.status, res.status);
        }
      };

      // Meanwhile, in rounds: three card payments started from the pay form (pending rows), then each paid on the
      // sandbox's page («Оплатить»: the sandbox posts the notification to /payments/notifications over loopback
      // before its redirect) while the same notification is posted three more times at once, then three more after
      // it was paid, and the return page checks it too. Until the charge runs end, and at least two rounds.
      const payStatuses: { what: string; status: number; result?: string }[] = [];
      const started: { sandboxId: string; rubles: number }[] = [];
      let paidWhileRunning = 0; // the sandbox answers «Оплатить» after our endpoint has settled its notification
      const notifyOnce = async (sandboxId: string, rubles: number) => {
        const r = await httpRequest(`${url}/payments/notifications`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: notificationOf(sandboxId, rubles) });
        const result = r.status === 200 ? (JSON.parse(bodyText(r)) as { result?: string }).result : undefined;
        payStatuses.push({ what: 'notification', status: r.status, result });
      };
      const payCards = async () => {
        for (let round = 0; !runsDone || round < 2; round++) {
          const batch: { sandboxId: string; rubles: number }[] = [];
          for (let i = 0; i < 3; i++) {
            const rubles = 100 + started.length;
            const form = await browser.get(`${url}/cabinet/pay`);
            const res = await browser.post(`${url}/cabinet/pay`, { _csrf: csrfOf(form), amount: String(rubles), contact: 'payer@example.ru' });
            payStatuses.push({ what: 'pay form', status: form.status }, { what: 'pay', status: res.status });
            const sandboxId = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(String(res.headers.location ?? ''))?.[1];
            if (!sandboxId) throw new Error(`POST /cabinet/pay gave ${res.status} ${res.headers.location ?? ''} ${bodyText(res).slice(0, 300)}`);
            started.push({ sandboxId, rubles });
            batch.push({ sandboxId, rubles });
          }
          await Promise.all(batch.map(async ({ sandboxId, rubles }) => {
            const page = await browser.get(`${url}/sandbox/pay/${sandboxId}`);
            payStatuses.push({ what: 'sandbox page', status: page.status });
            const pay = browser.post(`${url}/sandbox/pay/${sandboxId}`, { _csrf: csrfOf(page), action: 'pay' }).then((r) => {
              payStatuses.push({ what: 'sandbox pay', status: r.status });
              if (!runsDone) paidWhileRunning++;
              return r;
            });
            await Promise.all([pay, notifyOnce(sandboxId, rubles), notifyOnce(sandboxId, rubles), notifyOnce(sandboxId, rubles)]);
            const back = new URL(String((await pay).headers.location ?? '/none'), url).pathname; // /cabinet/pay/<our id>
            await Promise.all([
              notifyOnce(sandboxId, rubles), notifyOnce(sandboxId, rubles), notifyOnce(sandboxId, rubles),
              browser.get(`${url}${back}`).then((r) => payStatuses.push({ what: `return page ${back}`, status: r.status })),
            ]);
          }));
        }
      };
      // Both to the end (a failure of one must not leave the other running against a stopped server), then the first failure.
      const failed = (await Promise.allSettled([saveSettings(), payCards()])).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
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

      // Every payment: the forms and pages answered as for a browser, every notification was accepted (200, never the
      // 503 "try again later"), and each payment is credited once, under its gateway key, its amount, on its contract.
      expect(payStatuses.filter((p) => p.status >= 500)).toEqual([]);
      expect(payStatuses.filter((p) => !(p.what === 'pay' || p.what === 'sandbox pay' ? p.status === 303 : p.status === 200))).toEqual([]);
      expect(payStatuses.filter((p) => p.what === 'notification' && !['pending', 'credited', 'final'].includes(p.result ?? ''))).toEqual([]);
      expect(paidWhileRunning).toBeGreaterThan(0); // payments were settled while the charge runs were writing
      const paid = paymentsOf('100001');
      expect(paid.payments.map((p) => p.gateway_payment_id)).toEqual(started.map((p) => p.sandboxId));
      for (const p of paid.payments) {
        const rubles = started.find((x) => x.sandboxId === p.gateway_payment_id)!.rubles;
        expect({ status: p.status, amount: p.amount_kopecks }).toEqual({ status: 'succeeded', amount: rubles * 100 });
        expect(p.entries).toEqual([{ id: p.ledger_entry_id, contract_id: paid.contractId, amount_kopecks: rubles * 100 }]);
      }
      expect(paid.gatewayCredits).toBe(started.length);
      expect(paid.balance).toBe(paid.ledgerSum);
      expect(server.out()).not.toMatch(/did not accept the notification|could not deliver the notification|could not be settled now/);
    } finally {
      server.child.kill('SIGTERM');
      writer.child.kill('SIGTERM');
      await Promise.all([server.exited, writer.exited]);
    }
    expect(writer.out()).toMatch(/wrote [1-9]\d* failed 0/);
  });
});
