// Payment notifications under load: 10 000 distinct pending card payments (sandbox gateway, already paid there), their
// notifications POSTed to /payments/notifications over 50 connections, then every one of them sent again. Each is
// settled through the one settle path (the gateway asked, the row moved and the ledger credited in one transaction);
// afterwards every payment must be credited exactly once and every cached balance must equal its ledger. On SQLite (a
// fresh file) or on PostgreSQL (a fresh database on the bench's cluster): the same rows, the same app, the same checks.
import path from 'node:path';
import autocannon from 'autocannon';
import { isPostgresUrl, openDb, rawRows, type Db } from '../src/db';
import { onCleanup, out, removeDbFiles, runNode, secret, startApp, tempDir } from './lib';
import { fmt, table, type Check, type Section } from './report';

export type NotificationPass = { name: string; requests: number; seconds: number; perSec: number; p50: number; p99: number; non2xx: number; errors: number };
export type NotificationBench = {
  engine: 'sqlite' | 'postgres'; count: number; connections: number; passes: NotificationPass[];
  credited: number; succeeded: number; creditedTwice: number; mismatchedBalances: number;
};

const CONTRACTS = 1000;

/** The contracts, pending payments and the sandbox's paid rows, written with knex (not timed). */
async function prepare(db: Db, count: number): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction(async (trx) => {
    const [{ id: town }] = await trx('towns').insert({ slug: 'bench', name: 'Город', position: 1 }).returning('id');
    const [{ id: tariff }] = await trx('tariffs').insert({ code: 'bench', name: 'Тариф', segment: 'flat', internet_mbps: 100, monthly_fee_kopecks: 60000, archived: false, position: 1 }).returning('id');
    const contracts = Array.from({ length: CONTRACTS }, (_, i) => ({
      number: String(800000 + i), name: 'Абонент', town_id: town, address: 'ул. Тестовая', password_hash: 'x', status: 'active', tariff_id: tariff, balance_kopecks: 0, created_at: now, updated_at: now,
    }));
    await trx.batchInsert('contracts', contracts, 500).transacting(trx);
    const ids = (await trx('contracts').orderBy('number').select('id')).map((r: { id: number }) => r.id);
    const amount = (i: number) => 10000 + (i % 500) * 100;
    await trx.batchInsert('payments', Array.from({ length: count }, (_, i) => ({
      contract_id: ids[i % CONTRACTS], amount_kopecks: amount(i), method: 'card', status: 'pending', idempotency_key: `bench:${i}`, created_at: now,
      gateway: 'sandbox', gateway_payment_id: `sbx-bench-${i}`, receipt_contact: 'bench@example.ru',
    })), 500).transacting(trx);
    await trx.batchInsert('sandbox_payments', Array.from({ length: count }, (_, i) => ({
      id: `sbx-bench-${i}`, idempotence_key: `bench:${i}`, amount_kopecks: amount(i), currency: 'RUB', description: 'bench', return_url: 'http://127.0.0.1/cabinet/pay/0',
      status: 'succeeded', metadata: '{}', created_at: now, updated_at: now,
    })), 500).transacting(trx);
  });
}

/** What the two passes left: credits, settled rows, keys written twice, balances off their ledger. */
async function verify(db: Db): Promise<Pick<NotificationBench, 'credited' | 'succeeded' | 'creditedTwice' | 'mismatchedBalances'>> {
  const one = async (sql: string) => Number((await rawRows<{ n: number | string }>(db, sql))[0].n);
  return {
    credited: await one(`select count(*) as n from ledger_entries where kind = 'payment' and idempotency_key like 'gateway_payment:sandbox:sbx-bench-%'`),
    succeeded: await one(`select count(*) as n from payments where status = 'succeeded' and ledger_entry_id is not null`),
    creditedTwice: await one('select count(*) as n from (select idempotency_key from ledger_entries group by idempotency_key having count(*) > 1) as twice'),
    mismatchedBalances: await one('select count(*) as n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)'),
  };
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

/**
 * The two passes against a fresh database: a SQLite file in the bench's temp dir, or, given `postgresUrl` (an empty
 * database), that PostgreSQL database.
 */
export async function measureNotifications(connections = 50, count = 10_000, postgresUrl?: string): Promise<NotificationBench> {
  const engine = postgresUrl && isPostgresUrl(postgresUrl) ? 'postgres' : 'sqlite';
  const dbFile = path.join(tempDir(), 'notifications.sqlite');
  onCleanup(() => removeDbFiles(dbFile));
  const database = engine === 'postgres' ? { DATABASE_URL: postgresUrl! } : { DATABASE_FILE: dbFile };
  await runNode('src/cli.js', ['migrate'], { ...process.env, NODE_ENV: 'development', ...database, LOG_LEVEL: 'warn' });
  const db = openDb(postgresUrl ?? dbFile);
  try {
    await prepare(db, count);
  } finally {
    await db.destroy();
  }
  const app = await startApp({ dbFile, pepper: secret(48), env: { BILLING_SCHEDULER: 'false', ...database } });
  out(`\npayment notifications on ${engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${fmt(count)} pending card payments, ${connections} connections (app pid ${app.pid})`);
  const passes: NotificationPass[] = [];
  for (const name of ['first: each payment once', 'again: the same notifications']) {
    const p = await pass(app.url, name, count, connections);
    passes.push(p);
    out(`  ${name.padEnd(32)} ${fmt(p.requests)} in ${fmt(p.seconds, 2)} s = ${fmt(p.perSec)} notifications/s  p50 ${fmt(p.p50, 1)} ms  p99 ${fmt(p.p99, 1)} ms${p.non2xx || p.errors ? `  !! non-2xx ${p.non2xx}, errors ${p.errors}` : ''}`);
  }
  await app.stop();
  const check = openDb(postgresUrl ?? dbFile);
  let r: NotificationBench;
  try {
    r = { engine, count, connections, passes, ...(await verify(check)) };
  } finally {
    await check.destroy();
  }
  out(`  credited ${fmt(r.credited)} of ${fmt(count)}, payments succeeded ${fmt(r.succeeded)}, balances not equal to their ledger: ${r.mismatchedBalances}`);
  return r;
}

const onEngine = (b: NotificationBench) => (b.engine === 'postgres' ? ' on PostgreSQL' : '');

export function notificationChecks(b: NotificationBench): Check[] {
  const first = b.passes[0];
  const exactlyOnce = b.credited === b.count && b.succeeded === b.count && b.creditedTwice === 0 && b.mismatchedBalances === 0;
  return [
    { name: `payment notifications${onEngine(b)}, ${fmt(b.count)} distinct, ${b.connections} connections`, value: `${fmt(first.perSec)} notifications/s`, target: '—', pass: null },
    { name: `payment notifications${onEngine(b)}: every payment credited exactly once (after each sent twice)`, value: `${fmt(b.credited)} credited, ${b.mismatchedBalances} balances off`, target: `${fmt(b.count)}, 0`, pass: exactlyOnce },
  ];
}

export function notificationProblems(b: NotificationBench): string[] {
  return b.passes.filter((p) => p.non2xx || p.errors || p.requests !== b.count).map((p) => `notifications${onEngine(b)} (${p.name}): ${fmt(p.requests)} sent, ${fmt(p.non2xx)} non-2xx, ${fmt(p.errors)} errors`);
}

/** PostgreSQL's first pass beside SQLite's, measured in the same bench run. */
export function notificationRatioCheck(sqlite: NotificationBench, postgres: NotificationBench): Check {
  const s = sqlite.passes[0].perSec;
  const p = postgres.passes[0].perSec;
  return { name: 'payment notifications/s: PostgreSQL ÷ SQLite (first pass)', value: `${fmt(p)} ÷ ${fmt(s)} = ${fmt((p / s) * 100)} %`, target: '—', pass: null };
}

export function notificationSection(b: NotificationBench): Section {
  return {
    title: `Payment notifications${onEngine(b)}`,
    markdown: `${table(['pass', 'notifications', 'seconds', 'notifications/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], b.passes.map((p) => [p.name, fmt(p.requests), fmt(p.seconds, 2), fmt(p.perSec), fmt(p.p50, 1), fmt(p.p99, 1), fmt(p.non2xx), fmt(p.errors)]))}

After both passes: ${fmt(b.credited)} of ${fmt(b.count)} payments credited (ledger entries keyed by the gateway's payment id),
${fmt(b.succeeded)} payment rows succeeded, ${b.creditedTwice} ledger keys written twice, ${b.mismatchedBalances} contracts whose cached balance
differs from their ledger. bench/notifications.ts writes ${fmt(b.count)} pending card payments over ${fmt(CONTRACTS)} contracts (and the
sandbox gateway's rows, already paid) into a fresh database, starts the app (production mode, the sandbox gateway, which
answers "get payment" from its table, so this measures our endpoint and the settle transaction, not a network hop to a
gateway), then autocannon POSTs one notification per payment, each body distinct, over ${b.connections} connections, and then every
one of them again. The second pass finds every row final and writes nothing.${b.engine === 'postgres' ? ' On PostgreSQL the database is a fresh one on the bench\'s own cluster («The PostgreSQL part», above) and the app talks to it through its pool (DATABASE_POOL_MAX, 10).' : ''}`,
  };
}
