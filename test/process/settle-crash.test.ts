// A kill -9 between the gateway's "succeeded" and our commit: the transaction that credits the ledger and moves our
// payment row is lost whole, and reconciliation (the real CLI, `payments reconcile`) then credits exactly once.
// Runs in the e2e project (after the build), against the fake YooKassa on 127.0.0.1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startFakeYooKassa, type FakeYooKassa } from '../support/fakeYooKassa';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli.js');
const script = path.join(__dirname, 'settle-crash.js');

let dir: string;
let yk: FakeYooKassa;
let env: Record<string, string>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-settle-'));
  yk = await startFakeYooKassa();
  env = {
    PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: path.join(dir, 'k.sqlite'), LOG_LEVEL: 'silent',
    PAYMENT_GATEWAY: 'yookassa', YOOKASSA_SHOP_ID: yk.shopId, YOOKASSA_SECRET_KEY: yk.secretKey, YOOKASSA_API_URL: yk.url, GATEWAY_TIMEOUT_MS: '5000',
  };
});
afterAll(async () => {
  await yk.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a child to its end without blocking the fake YooKassa that lives in this process. */
function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

function state() {
  const db = new Database(env.DATABASE_FILE, { readonly: true });
  try {
    return {
      payment: db.prepare('select status, ledger_entry_id from payments').get() as { status: string; ledger_entry_id: number | null },
      credits: (db.prepare(`select count(*) n from ledger_entries where kind = 'payment'`).get() as { n: number }).n,
      balance: db.prepare('select balance_kopecks b, (select coalesce(sum(amount_kopecks), 0) from ledger_entries) l from contracts').get() as { b: number; l: number },
    };
  } finally {
    db.close();
  }
}

test('kill -9 after the gateway said succeeded, before our commit: reconciliation credits exactly once', async () => {
  const started = await run([script, 'start']);
  expect(started.code).toBe(0);
  const { gatewayId } = JSON.parse(started.out.trim()) as { paymentId: number; gatewayId: string };
  yk.succeed(gatewayId);

  const crashed = await run([script, 'crash', gatewayId]);
  expect(crashed.signal).toBe('SIGKILL');
  expect(crashed.out).toContain('killing');
  expect(crashed.out).not.toContain('settled without a crash');
  expect(state()).toEqual({ payment: { status: 'pending', ledger_entry_id: null }, credits: 0, balance: { b: 0, l: 0 } });

  const first = await run([cli, 'payments', 'reconcile']);
  expect(first.code).toBe(0);
  expect(first.out).toContain('reconciled: 1 checked, 1 credited');
  const second = await run([cli, 'payments', 'reconcile']);
  expect(second.out).toContain('reconciled: 0 checked, 0 credited');
  const after = state();
  expect(after.payment.status).toBe('succeeded');
  expect(after.credits).toBe(1);
  expect(after.balance).toEqual({ b: 50000, l: 50000 });
});

test('staff refund through the CLI: partial, then the rest, then nothing left (a clear error, exit 1)', async () => {
  const db = new Database(env.DATABASE_FILE, { readonly: true });
  const { id } = db.prepare(`select id from payments where status = 'succeeded'`).get() as { id: number };
  db.close();
  const partial = await run([cli, 'payments', 'refund', String(id), '150,50']);
  expect(partial.code).toBe(0);
  expect(partial.out).toContain(`refunded: 150,50\u00a0₽ of payment ${id}`);
  const rest = await run([cli, 'payments', 'refund', String(id)]);
  expect(rest.out).toContain(`refunded: 349,50\u00a0₽ of payment ${id}`);
  const more = await run([cli, 'payments', 'refund', String(id), '1']);
  expect(more.code).toBe(1);
  expect(more.out).toContain('error: the refund must be from 0,01 to 0,00');
  const bad = await run([cli, 'payments', 'refund', 'abc']);
  expect(bad.code).toBe(1);
  expect(bad.out).toContain('usage: payments refund');
  const check = new Database(env.DATABASE_FILE, { readonly: true });
  const refunds = check.prepare(`select amount_kopecks from ledger_entries where kind = 'refund' order by id`).all();
  const status = (check.prepare('select status from payments where id = ?').get(id) as { status: string }).status;
  check.close();
  expect(refunds).toEqual([{ amount_kopecks: -15050 }, { amount_kopecks: -34950 }]);
  expect(status).toBe('refunded');
  expect(state().balance).toEqual({ b: 0, l: 0 });
});
