// The knex instance over one SQLite file (better-sqlite3). SQLite-only settings live here and nowhere else.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { migrationSource } from '../migrations';

export type Db = Knex;
export type Trx = Knex.Transaction;

export function openDb(filename: string): Db {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // better-sqlite3 is synchronous: one connection serves every query in turn. It is never released while
    // the process lives (an in-memory database would vanish with it).
    pool: {
      min: 1,
      max: 1,
      idleTimeoutMillis: 2 ** 31 - 1,
      afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        try {
          if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL'); // with WAL: durable at each checkpoint, never corrupt
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000'); // a second process waits for the lock instead of failing
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    acquireConnectionTimeout: 10000,
  });
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** Runs fn in one transaction: everything it writes lands together or not at all. */
export function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}
