// Settling a card payment in a process of its own, over the compiled app in dist/, for the kill -9 test in
// settle-crash.test.ts. Plain JavaScript: node runs it as it is. The gateway is the fake YooKassa of the test
// (YOOKASSA_API_URL etc. in the environment).
//   node test/process/settle-crash.js start   -> a contract and a pending payment created 20 minutes ago; prints {"paymentId","gatewayId"}
//   node test/process/settle-crash.js crash <gatewayId> -> settles it, and kills itself with SIGKILL inside the
//        transaction, after the gateway said succeeded and the ledger entry was written, before the commit
'use strict';
const path = require('node:path');
const pino = require('pino');

const dist = path.join(__dirname, '..', '..', 'dist', 'src');
const { loadConfig } = require(path.join(dist, 'config.js'));
const { migrate, openDb } = require(path.join(dist, 'db.js'));
const { createServices } = require(path.join(dist, 'services.js'));

async function main() {
  const [phase, gatewayId] = process.argv.slice(2);
  const config = loadConfig(process.env);
  const db = openDb(config.databaseFile);
  await migrate(db);
  const offset = phase === 'start' ? -20 * 60_000 : 0;
  const ctx = { config, db, clock: { now: () => new Date(Date.now() + offset) }, logger: pino({ level: 'silent' }) };
  try {
    if (phase === 'start') {
      const now = new Date().toISOString();
      const [town] = await db('towns').insert({ slug: 'crash', name: 'Город', position: 1 });
      const [tariff] = await db('tariffs').insert({ code: 'crash', name: 'Тариф', segment: 'flat', internet_mbps: 100, monthly_fee_kopecks: 60000, archived: false, position: 1 });
      const [contract] = await db('contracts').insert({
        number: '900001', name: 'Абонент', town_id: town, address: 'ул. Тестовая, 1', email: null, password_hash: 'x', status: 'active',
        tariff_id: tariff, balance_kopecks: 0, created_at: now, updated_at: now,
      });
      const r = await createServices(ctx).cardPayments.start({ contractId: contract, amountKopecks: 50000, contact: 'payer@example.ru' });
      const row = await db('payments').where({ id: r.paymentId }).first();
      process.stdout.write(`${JSON.stringify({ paymentId: r.paymentId, gatewayId: row.gateway_payment_id, kind: r.kind })}\n`);
      return;
    }
    if (phase === 'crash') {
      let entryWritten = false;
      db.on('query', (q) => {
        if (/insert into [`"]ledger_entries[`"]/i.test(q.sql)) entryWritten = true;
        // the next statement after the entry and the balance: moving our row to succeeded, still inside the transaction
        if (entryWritten && /update [`"]payments[`"]/i.test(q.sql)) {
          process.stdout.write('killing\n');
          process.kill(process.pid, 'SIGKILL');
        }
      });
      process.stdout.write('settling\n');
      await createServices(ctx).cardPayments.settle(gatewayId);
      process.stdout.write('settled without a crash\n');
      return;
    }
    throw new Error('usage: settle-crash.js start | crash <gatewayId>');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`settle-crash: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
