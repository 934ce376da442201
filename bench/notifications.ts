// Payment notifications under load: 10 000 distinct pending card payments (sandbox gateway, already paid there), their
// notifications POSTed to /payments/notifications over 50 connections, then every one of them sent again. Each is
// settled through the one settle path (the gateway asked, the row moved and the ledger credited in one transaction);
// afterwards every payment must be credited exactly once and every cached balance must equal its ledger.
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { onCleanup, out, removeDbFiles, runNode, secret, startApp, tempDir } from './lib';
import { fmt, table, type Check, type Section } from './report';

export type NotificationPass = { name: string; requests: number; seconds: number; perSec: number; p50: number; p99: number; non2xx: number; errors: number };
export type NotificationBench = {
  count: number; connections: number; passes: NotificationPass[];
  credited: number; succeeded: number; creditedTwice: number; mismatchedBalances: number;
};

const CONTRACTS = 1000;

function prepare(dbFile: string, count: number) {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  const now = new Date().toISOString();
  db.transaction(() => {
    const town = db.prepare(`insert into towns (slug, name, position) values ('bench', 'Город', 1)`).run().lastInsertRowid;
    const tariff = db.prepare(`insert into tariffs (code, name, segment, internet_mbps, monthly_fee_kopecks, archived, position) values ('bench', 'Тариф', 'flat', 100, 60000, 0, 1)`).run().lastInsertRowid;
    const contract = db.prepare(`insert into contracts (number, name, town_id, address, password_hash, status, tariff_id, balance_kopecks, created_at, updated_at)
      values (?, 'Абонент', ?, 'ул. Тестовая', 'x', 'active', ?, 0, ?, ?)`);
    const ids: number[] = [];
    for (let i = 0; i < CONTRACTS; i++) ids.push(Number(contract.run(String(800000 + i), town, tariff, now, now).lastInsertRowid));
    const payment = db.prepare(`insert into payments (contract_id, amount_kopecks, method, status, idempotency_key, created_at, gateway, gateway_payment_id, receipt_contact)
      values (?, ?, 'card', 'pending', ?, ?, 'sandbox', ?, 'bench@example.ru')`);
    const sandbox = db.prepare(`insert into sandbox_payments (id, idempotence_key, amount_kopecks, currency, description, return_url, status, metadata, created_at, updated_at)
      values (?, ?, ?, 'RUB', 'bench', 'http://127.0.0.1/cabinet/pay/0', 'succeeded', '{}', ?, ?)`);
    for (let i = 0; i < count; i++) {
      const amount = 10000 + (i % 500) * 100;
      payment.run(ids[i % CONTRACTS], amount, `bench:${i}`, now, `sbx-bench-${i}`);
      sandbox.run(`sbx-bench-${i}`, `bench:${i}`, amount, now, now);
    }
  })();
  db.close();
}

function pass(url: string, name: string, count: number, connections: number): Promise<NotificationPass> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/payments/notifications`, method: 'POST', connections, amount: count, headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: `sbx-bench-${next++}`, status: 'succeeded' } }) }) }],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({ name, requests: r.requests.total, seconds: r.duration, perSec: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
      },
    );
  });
}

export async function measureNotifications(connections = 50, count = 10_000): Promise<NotificationBench> {
  const dbFile = path.join(tempDir(), 'notifications.sqlite');
  onCleanup(() => removeDbFiles(dbFile));
  await runNode('src/cli.js', ['migrate'], { ...process.env, NODE_ENV: 'development', DATABASE_FILE: dbFile, LOG_LEVEL: 'warn' });
  prepare(dbFile, count);
  const app = await startApp({ dbFile, pepper: secret(48), env: { BILLING_SCHEDULER: 'false' } });
  out(`\npayment notifications: ${fmt(count)} pending card payments, ${connections} connections (app pid ${app.pid})`);
  const passes: NotificationPass[] = [];
  for (const name of ['first: each payment once', 'again: the same notifications']) {
    const p = await pass(app.url, name, count, connections);
    passes.push(p);
    out(`  ${name.padEnd(32)} ${fmt(p.requests)} in ${fmt(p.seconds, 2)} s = ${fmt(p.perSec)} notifications/s  p50 ${fmt(p.p50, 1)} ms  p99 ${fmt(p.p99, 1)} ms${p.non2xx || p.errors ? `  !! non-2xx ${p.non2xx}, errors ${p.errors}` : ''}`);
  }
  await app.stop();
  const db = new Database(dbFile, { readonly: true });
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const r: NotificationBench = {
    count, connections, passes,
    credited: one(`select count(*) n from ledger_entries where kind = 'payment' and idempotency_key like 'gateway_payment:sandbox:sbx-bench-%'`),
    succeeded: one(`select count(*) n from payments where status = 'succeeded' and ledger_entry_id is not null`),
    creditedTwice: one(`select count(*) n from (select idempotency_key from ledger_entries group by idempotency_key having count(*) > 1)`),
    mismatchedBalances: one('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)'),
  };
  db.close();
  out(`  credited ${fmt(r.credited)} of ${fmt(count)}, payments succeeded ${fmt(r.succeeded)}, balances not equal to their ledger: ${r.mismatchedBalances}`);
  return r;
}

export function notificationChecks(b: NotificationBench): Check[] {
  const first = b.passes[0];
  const exactlyOnce = b.credited === b.count && b.succeeded === b.count && b.creditedTwice === 0 && b.mismatchedBalances === 0;
  return [
    { name: `payment notifications, ${fmt(b.count)} distinct, ${b.connections} connections`, value: `${fmt(first.perSec)} notifications/s`, target: '—', pass: null },
    { name: 'payment notifications: every payment credited exactly once (after each sent twice)', value: `${fmt(b.credited)} credited, ${b.mismatchedBalances} balances off`, target: `${fmt(b.count)}, 0`, pass: exactlyOnce },
  ];
}

export function notificationProblems(b: NotificationBench): string[] {
  return b.passes.filter((p) => p.non2xx || p.errors || p.requests !== b.count).map((p) => `notifications (${p.name}): ${fmt(p.requests)} sent, ${fmt(p.non2xx)} non-2xx, ${fmt(p.errors)} errors`);
}

export function notificationSection(b: NotificationBench): Section {
  return {
    title: 'Payment notifications',
    markdown: `${table(['pass', 'notifications', 'seconds', 'notifications/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], b.passes.map((p) => [p.name, fmt(p.requests), fmt(p.seconds, 2), fmt(p.perSec), fmt(p.p50, 1), fmt(p.p99, 1), fmt(p.non2xx), fmt(p.errors)]))}

After both passes: ${fmt(b.credited)} of ${fmt(b.count)} payments credited (ledger entries keyed by the gateway's payment id),
${fmt(b.succeeded)} payment rows succeeded, ${b.creditedTwice} ledger keys written twice, ${b.mismatchedBalances} contracts whose cached balance
differs from their ledger. bench/notifications.ts writes ${fmt(b.count)} pending card payments over ${fmt(CONTRACTS)} contracts (and the
sandbox gateway's rows, already paid) into a fresh database, starts the app (production mode, the sandbox gateway, which
answers "get payment" from its table, so this measures our endpoint and the settle transaction, not a network hop to a
gateway), then autocannon POSTs one notification per payment, each body distinct, over ${b.connections} connections, and then every
one of them again. The second pass finds every row final and writes nothing.`,
  };
}
