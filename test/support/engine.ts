// Which engine the suite runs on (KABINET_TEST_ENGINE=postgres, else SQLite), and a fresh migrated database per
// suite on it: SQLite in memory; PostgreSQL a copy of the template database globalSetup migrated.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDb, type Db } from '../../src/db';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { withDatabase } = require('./postgres');

export const TEMPLATE_DATABASE = 'kabinet_test_template';

export const testEngine = (): 'sqlite' | 'postgres' => (process.env.KABINET_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite');
export const onPostgres = () => testEngine() === 'postgres';

/** `describe` on SQLite only: for what is about SQLite itself (its file, its writer lock). */
export const describeSqlite = (name: string, fn: () => void) => (onPostgres() ? describe.skip : describe)(name, fn);
/** `it` on SQLite only. */
export const itSqlite = (name: string, fn: () => Promise<void>, timeout?: number) => (onPostgres() ? it.skip : it)(name, fn, timeout);
/** `describe` on PostgreSQL only. */
export const describePostgres = (name: string, fn: () => void) => (onPostgres() ? describe : describe.skip)(name, fn);

/** One statement on its own connection to `url` (a test's check, or the admin database's create/drop); its rows. */
export async function pgRows<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A new empty database on the server of `adminUrl` (e.g. a throwaway cluster's); its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await pgRows(adminUrl, `create database ${name}`);
  return withDatabase(adminUrl, name);
}

type Pool = { numUsed(): number; numPendingAcquires(): number; numPendingCreates(): number };

/**
 * Waits (5 s at most) until no query holds or waits for a pooled connection: an app starts work of its own when it
 * is made (the session store checks its table), and destroying the pool under it fails that work.
 */
async function quiet(db: Db): Promise<void> {
  const pool = (db.client as { pool?: Pool }).pool;
  const deadline = Date.now() + 5_000;
  while (pool && pool.numUsed() + pool.numPendingAcquires() + pool.numPendingCreates() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export type TestDb = { db: Db; url: string; close: () => Promise<void> };

/** A fresh, migrated, empty database on the suite's engine. `url` is what DATABASE_URL/DATABASE_FILE would be. */
export async function openTestDb(): Promise<TestDb> {
  if (!onPostgres()) {
    const db = openDb(':memory:');
    await migrate(db);
    return { db, url: ':memory:', close: () => db.destroy() };
  }
  const admin = process.env.KABINET_TEST_DATABASE_URL;
  if (!admin) throw new Error('KABINET_TEST_ENGINE=postgres but no KABINET_TEST_DATABASE_URL: run through jest (test/support/globalSetup.ts starts a cluster)');
  const name = `kabinet_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await pgRows(admin, `create database ${name} template ${TEMPLATE_DATABASE}`);
  const url: string = withDatabase(admin, name);
  const db = openDb(url, { poolMax: 20 });
  return {
    db,
    url,
    close: async () => {
      await quiet(db);
      await db.destroy();
      await pgRows(admin, `drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Makes writes fail on purpose (a crash in the middle, a disk error), on either engine: a trigger on `table` that
 * aborts an `event` ('insert' | 'update') of a row when `when` holds (SQL over `new`, subqueries allowed) with
 * `message`. dropFailure(db, name, table) removes it.
 */
export async function failWrites(db: Db, o: { name: string; table: string; event: 'insert' | 'update'; when: string; message: string }): Promise<void> {
  if (!onPostgres()) {
    await db.raw(`create trigger ${o.name} before ${o.event} on ${o.table} when ${o.when} begin select raise(abort, '${o.message}'); end`);
    return;
  }
  await db.raw(`create function ${o.name}_fn() returns trigger language plpgsql as $$
    begin if ${o.when} then raise exception '${o.message}'; end if; return new; end $$`);
  await db.raw(`create trigger ${o.name} before ${o.event} on ${o.table} for each row execute function ${o.name}_fn()`);
}

export async function dropFailure(db: Db, name: string, table: string): Promise<void> {
  await db.raw(onPostgres() ? `drop trigger ${name} on ${table}` : `drop trigger ${name}`);
}
