// `npm run seed:large -- --contracts 100000`: the demo provider with many contracts, for benchmarks, on either
// engine (the same generated rows, seeds/generate.ts). knex builds a query object per row, which would take minutes
// here instead of seconds, so the bulk rows go in raw, one version per engine side by side:
// - SQLite: prepared better-sqlite3 statements, row by row, in batches of one transaction each;
// - PostgreSQL: a few thousand contracts per statement, as one JSON parameter read by json_to_recordset (one round
//   trip per table per batch); the ids the database gives back are matched by contract number and idempotency key.
import type { Database } from 'better-sqlite3';
import { inTransaction, isPostgres, rawRows, type Db, type Trx } from '../src/db';
import type { Day } from '../src/lib/dates';
import { generateContract, type GeneratedContract } from './generate';
import { seedProvider } from './demo';
import { DEMO, seedStaff } from './provider';

export type LargeSeedOptions = { contracts: number; months: number; today: Day; timeZone: string; now: Date; hashPassword: (p: string) => Promise<string> };

export type LargeSeedResult = { contracts: number; ledgerEntries: number; payments: number };

export async function seedLarge(db: Db, o: LargeSeedOptions): Promise<LargeSeedResult> {
  const passwordHash = await o.hashPassword(DEMO.password);
  const nowIso = o.now.toISOString();
  await inTransaction(db, async (trx) => {
    await seedProvider(trx);
    await seedStaff(trx, o.hashPassword, nowIso);
    // The generated history charges every contract through today: the daily charge run starts tomorrow.
    await trx('charge_days').insert({ day: o.today, contracts_charged: 0, total_kopecks: 0, finished_at: nowIso });
  });
  return isPostgres(db) ? seedContractsPostgres(db, o, passwordHash) : seedContractsSqlite(db, o, passwordHash);
}

async function seedContractsSqlite(db: Db, o: LargeSeedOptions, passwordHash: string): Promise<LargeSeedResult> {
  const nowIso = o.now.toISOString();
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

/** Contracts per transaction on PostgreSQL: about 45 000 ledger rows (a JSON parameter of some 9 MB) per statement. */
const PG_BATCH = 2000;
/** Batches written at once, each on its own connection: the server's inserts (index upkeep, foreign-key checks) are
 *  most of the work, and two backends use both cores while this process generates the next batch. */
const PG_STREAMS = 2;

/**
 * The generated contracts in batches of PG_BATCH, each batch one transaction of five statements, PG_STREAMS batches
 * at a time. Batches insert their contracts in turn (batch order), so contract ids follow contract numbers as on SQLite;
 * everything after that overlaps.
 */
async function seedContractsPostgres(db: Db, o: LargeSeedOptions, passwordHash: string): Promise<LargeSeedResult> {
  let ledgerEntries = 0;
  let payments = 0;
  let next = 0;
  let contractsTurn = Promise.resolve();
  let failed = false;
  // The generated rows are consistent by construction (every contract, entry and payment is made here together), so
  // a superuser loads them as pg_restore --disable-triggers does: with the foreign-key triggers off for these
  // transactions (session_replication_role = replica), about 40 % less server time. The constraints stay, and hold
  // for every later write; another role loads with the checks on.
  const skipChecks = Boolean((await rawRows<{ su: boolean }>(db, 'select rolsuper as su from pg_roles where rolname = current_user'))[0]?.su);
  const stream = async () => {
    while (next < o.contracts && !failed) {
      const from = next;
      next = Math.min(o.contracts, from + PG_BATCH);
      const to = next;
      const previous = contractsTurn;
      let release!: () => void;
      contractsTurn = new Promise((resolve) => (release = resolve));
      try {
        const batch: GeneratedContract[] = [];
        for (let i = from; i < to; i++) batch.push(generateContract(i, { today: o.today, timeZone: o.timeZone, months: o.months }));
        const r = await inTransaction(db, (trx) => insertBatchPostgres(trx, batch, passwordHash, o.now.toISOString(), skipChecks, previous, release));
        ledgerEntries += r.ledgerEntries;
        payments += r.payments;
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        release();
      }
    }
  };
  await Promise.all(Array.from({ length: PG_STREAMS }, stream));
  // Fresh tables: statistics for the planner, and the visibility map for index-only scans (as autovacuum would).
  await db.raw('vacuum (analyze) contracts, contract_phones, contract_services, ledger_entries, payments');
  // The loaded pages written out now, as the SQLite seed checkpoints its WAL, not during what runs next (a superuser's).
  if (skipChecks) await db.raw('checkpoint');
  return { contracts: o.contracts, ledgerEntries, payments };
}

const json = (rows: object[]) => JSON.stringify(rows);

/** One batch: `turn` resolves when the previous batch has inserted its contracts; `done` lets the next one go. */
async function insertBatchPostgres(
  trx: Trx, batch: GeneratedContract[], passwordHash: string, nowIso: string, skipChecks: boolean, turn: Promise<void>, done: () => void,
): Promise<{ ledgerEntries: number; payments: number }> {
  if (skipChecks) await trx.raw('set local session_replication_role = replica');
  await turn;
  const contracts = await rawRows<{ id: number; number: string }>(
    trx,
    `insert into contracts (number, name, town_id, address, email, password_hash, status, tariff_id, balance_kopecks, created_at, updated_at)
     select u.number, u.name, u.town_id, u.address, u.email, ?, u.status, u.tariff_id, u.balance, u.created_at, ?
       from json_to_recordset(?::json) as u(number text, name text, town_id integer, address text, email text, status text, tariff_id integer, balance integer, created_at text)
     returning id, number`,
    [passwordHash, nowIso, json(batch.map((g) => ({ ...g.contract, balance: g.balance })))],
  );
  done();
  const idOf = new Map(contracts.map((c) => [c.number, c.id]));
  const contractId = (g: GeneratedContract) => {
    const id = idOf.get(g.contract.number);
    if (id === undefined) throw new Error(`contract ${g.contract.number} was not inserted`);
    return id;
  };
  const phones = batch.flatMap((g) => g.phones.map((phone) => ({ contract_id: contractId(g), phone, created_at: g.contract.created_at })));
  if (phones.length) {
    await trx.raw(
      `insert into contract_phones (contract_id, phone, created_at)
       select u.contract_id, u.phone, u.created_at from json_to_recordset(?::json) as u(contract_id integer, phone text, created_at text)`,
      [json(phones)],
    );
  }
  const services = batch.flatMap((g) => g.services.map((cs) => ({ contract_id: contractId(g), service_id: cs.service_id, from_day: cs.from_day })));
  if (services.length) {
    await trx.raw(
      `insert into contract_services (contract_id, service_id, from_day)
       select u.contract_id, u.service_id, u.from_day from json_to_recordset(?::json) as u(contract_id integer, service_id integer, from_day text)`,
      [json(services)],
    );
  }
  const entries = batch.flatMap((g) => g.entries.map((e) => ({ ...e, contract_id: contractId(g) })));
  const inserted = await rawRows<{ id: number; idempotency_key: string }>(
    trx,
    `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
     select u.contract_id, u.kind, u.amount_kopecks, u.description, u.period_from, u.period_to, u.idempotency_key, u.occurred_at
       from json_to_recordset(?::json) as u(contract_id integer, kind text, amount_kopecks integer, description text, period_from text, period_to text, idempotency_key text, occurred_at text)
     returning id, idempotency_key`,
    [json(entries)],
  );
  const entryId = new Map(inserted.map((e) => [e.idempotency_key, e.id]));
  // A succeeded payment and its ledger entry share the idempotency key (a canceled one has no entry).
  const payments = batch.flatMap((g) => g.payments.map((p) => ({ ...p, contract_id: contractId(g), ledger_entry_id: entryId.get(p.idempotency_key) ?? null })));
  await trx.raw(
    `insert into payments (contract_id, amount_kopecks, method, status, ledger_entry_id, idempotency_key, created_at)
     select u.contract_id, u.amount_kopecks, u.method, u.status, u.ledger_entry_id, u.idempotency_key, u.created_at
       from json_to_recordset(?::json) as u(contract_id integer, amount_kopecks integer, method text, status text, ledger_entry_id integer, idempotency_key text, created_at text)`,
    [json(payments)],
  );
  return { ledgerEntries: entries.length, payments: payments.length };
}
