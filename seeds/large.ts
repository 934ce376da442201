// `npm run seed:large -- --contracts 100000`: the demo provider with many contracts, for benchmarks.
// Bulk inserts go through prepared better-sqlite3 statements in batches of one transaction each: knex
// builds a query object per row, which would take minutes here instead of seconds.
import type { Database } from 'better-sqlite3';
import { inTransaction, type Db } from '../src/db';
import type { Day } from '../src/lib/dates';
import { generateContract } from './generate';
import { seedProvider } from './demo';
import { DEMO } from './provider';

export type LargeSeedOptions = { contracts: number; months: number; today: Day; timeZone: string; now: Date; hashPassword: (p: string) => Promise<string> };

export async function seedLarge(db: Db, o: LargeSeedOptions): Promise<{ contracts: number; ledgerEntries: number; payments: number }> {
  const passwordHash = await o.hashPassword(DEMO.password);
  const staffHash = await o.hashPassword(DEMO.staffPassword);
  const nowIso = o.now.toISOString();
  await inTransaction(db, async (trx) => {
    await seedProvider(trx);
    await trx('staff').insert({ login: DEMO.staffLogin, name: 'Администратор', password_hash: staffHash, role: 'admin', active: true, created_at: nowIso });
    // The generated history charges every contract through today: the daily charge run starts tomorrow.
    await trx('charge_days').insert({ day: o.today, contracts_charged: 0, total_kopecks: 0, finished_at: nowIso });
  });

  const conn = (await db.client.acquireConnection()) as Database;
  let ledgerEntries = 0;
  let payments = 0;
  try {
    const insContract = conn.prepare(
      `insert into contracts (number, name, town_id, address, email, password_hash, status, tariff_id, balance_kopecks, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insPhone = conn.prepare('insert into contract_phones (contract_id, phone, created_at) values (?, ?, ?)');
    const insService = conn.prepare('insert into contract_services (contract_id, service_id, from_day) values (?, ?, ?)');
    const insEntry = conn.prepare(
      `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insPayment = conn.prepare(
      'insert into payments (contract_id, amount_kopecks, method, status, ledger_entry_id, idempotency_key, created_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    const batch = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const g = generateContract(i, { today: o.today, timeZone: o.timeZone, months: o.months });
        const c = g.contract;
        const contractId = Number(
          insContract.run(c.number, c.name, c.town_id, c.address, c.email, passwordHash, c.status, c.tariff_id, g.balance, c.created_at, nowIso).lastInsertRowid,
        );
        for (const phone of g.phones) insPhone.run(contractId, phone, c.created_at);
        for (const cs of g.services) insService.run(contractId, cs.service_id, cs.from_day);
        const entryIds = new Map<string, number>();
        for (const e of g.entries) {
          const id = insEntry.run(contractId, e.kind, e.amount_kopecks, e.description, e.period_from ?? null, e.period_to ?? null, e.idempotency_key, e.occurred_at).lastInsertRowid;
          entryIds.set(e.idempotency_key, Number(id));
        }
        for (const p of g.payments) {
          insPayment.run(contractId, p.amount_kopecks, p.method, p.status, entryIds.get(p.idempotency_key) ?? null, p.idempotency_key, p.created_at);
        }
        ledgerEntries += g.entries.length;
        payments += g.payments.length;
      }
    });
    const BATCH = 5000;
    for (let from = 0; from < o.contracts; from += BATCH) batch.immediate(from, Math.min(o.contracts, from + BATCH));
    conn.pragma('wal_checkpoint(TRUNCATE)');
    conn.exec('analyze');
  } finally {
    await db.client.releaseConnection(conn);
  }
  return { contracts: o.contracts, ledgerEntries, payments };
}
