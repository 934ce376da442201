// The knex instance over one SQLite file (better-sqlite3). SQLite-only settings live here and nowhere else.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
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

/** The database file cannot be opened (or written at start): the message is one line naming the file. */
export class DatabaseOpenError extends Error {}

const explain = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
};

/**
 * Opens the file once on its own (creating its folder), before knex does: a path under a regular file, a directory,
 * a file without permission, a read-only disk or a file that is not a database then stops the start with one line,
 * e.g. "cannot open the database /srv/x.sqlite: SQLITE_CANTOPEN unable to open database file".
 */
export function checkDatabaseFile(filename: string): void {
  if (filename === ':memory:') return;
  const file = path.resolve(filename);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const conn = new BetterSqlite3(file);
    try {
      conn.pragma('journal_mode = WAL'); // a write: a read-only file or disk fails here
      conn.prepare('select count(*) from sqlite_master').get(); // a file that is not a database fails here
    } finally {
      conn.close();
    }
  } catch (err) {
    throw new DatabaseOpenError(`cannot open the database ${file}: ${explain(err)}`);
  }
}

/** Migrations failing on the storage (a full or read-only disk) say so in one line too. */
export async function migrateOrExplain(db: Db, filename: string): Promise<void> {
  try {
    await migrate(db);
  } catch (err) {
    if (isStorageError(err)) throw new DatabaseOpenError(`cannot migrate the database ${path.resolve(filename)}: ${explain(err)}`);
    throw err;
  }
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** Runs fn in one transaction: everything it writes lands together or not at all. */
export function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}

type Hot = { conn: Database; statements: Map<string, Statement> };
const hotStatements = new WeakMap<Db, Hot>();

/** The pool's one connection (min = max = 1), with the statements prepared on it. */
async function hotConnection(db: Db): Promise<Hot> {
  let hot = hotStatements.get(db);
  if (!hot || !hot.conn.open) {
    const conn = (await db.client.acquireConnection()) as Database;
    db.client.releaseConnection(conn);
    hot = { conn, statements: new Map() };
    hotStatements.set(db, hot);
  }
  return hot;
}

function prepared(hot: Hot, sql: string): Statement {
  let st = hot.statements.get(sql);
  if (!st) {
    st = hot.conn.prepare(sql);
    hot.statements.set(sql, st);
  }
  return st;
}

/**
 * One row from a prepared statement on the pool's own connection: for reads on every page (the session, the
 * dashboard), where knex's query building and pool round trip cost more than the query. Reads only: writes go
 * through knex, which queues them behind any open transaction. While a transaction is open on the connection the
 * read goes through knex too, so it waits for the commit instead of seeing uncommitted rows.
 */
export async function hotGet<T>(db: Db, sql: string, params: unknown[]): Promise<T | undefined> {
  const hot = await hotConnection(db);
  if (hot.conn.inTransaction) {
    const rows = (await db.raw(sql, params as Knex.RawBinding[])) as T[];
    return rows[0];
  }
  const st = prepared(hot, sql);
  return st.get(...params) as T | undefined;
}

/** Every row of a prepared statement, on the same terms as hotGet (reads only; through knex while a transaction is open). */
export async function hotAll<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const hot = await hotConnection(db);
  if (hot.conn.inTransaction) return (await db.raw(sql, params as Knex.RawBinding[])) as T[];
  const st = prepared(hot, sql);
  return st.all(...params) as T[];
}

/** SQLite's result codes that mean the disk or the file failed, not the code: full, read-only, I/O error, cannot open, corrupt. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)(_|$)/;

/** True for an error of the storage under the database (the service is unavailable until an operator acts), e.g. a full disk. */
export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** The outcome of writeWithoutWaiting: 'busy' when another connection holds the write lock (not an error), 'skipped'
 *  when a transaction is open on the pool's connection (its own writes will tell). */
export type NoWaitWrite = 'ok' | 'busy' | 'skipped';

/**
 * One small write on the pool's connection that never waits for the write lock: busy_timeout 0, BEGIN IMMEDIATE,
 * the statement, COMMIT, busy_timeout back. Synchronous from start to end, so no other query runs in between.
 * For /healthz's probe; storage errors (SQLITE_FULL, SQLITE_READONLY ...) are thrown.
 */
export async function writeWithoutWaiting(db: Db, sql: string, params: unknown[]): Promise<NoWaitWrite> {
  const hot = await hotConnection(db);
  const conn = hot.conn;
  if (conn.inTransaction) return 'skipped';
  const timeout = conn.pragma('busy_timeout', { simple: true }) as number;
  conn.pragma('busy_timeout = 0');
  try {
    conn.exec('BEGIN IMMEDIATE');
    try {
      prepared(hot, sql).run(...params);
      conn.exec('COMMIT');
    } catch (err) {
      if (conn.inTransaction) conn.exec('ROLLBACK');
      throw err;
    }
    return 'ok';
  } catch (err) {
    if (/^SQLITE_BUSY/.test(String((err as { code?: unknown }).code ?? ''))) return 'busy';
    throw err;
  } finally {
    conn.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * One row read on the pool's connection at once, even while a transaction is open on it (it may then see that
 * transaction's uncommitted rows): for monitoring counts only, which must never wait behind a long transaction.
 */
export async function peekGet<T>(db: Db, sql: string, params: unknown[]): Promise<T | undefined> {
  const hot = await hotConnection(db);
  return prepared(hot, sql).get(...params) as T | undefined;
}
