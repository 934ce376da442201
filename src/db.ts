// The knex instance: over one SQLite file (better-sqlite3, the default), or over PostgreSQL (pg) when DATABASE_URL
// is set. What differs by engine lives here (and in src/engine.ts), side by side, and nowhere else: opening and
// checking the database, hot prepared statements (hotGet/hotAll), the health probe's write, which errors mean the
// storage failed, and the helpers that queries use to lock what a rule read (forUpdate) or to claim shared work
// (claimable). Queries themselves are portable SQL in each feature's queries.ts.
//
// On PostgreSQL transactions are plain READ COMMITTED ones; rules lock what they decide on with SELECT … FOR UPDATE.
//
// On SQLite:
// Writers take turns (decided here, see README «Запись в базу»):
// - Every transaction begins as a writer: `BEGIN IMMEDIATE`, not knex's deferred `BEGIN`. A deferred transaction that
//   reads and then writes gets SQLITE_BUSY at once when another connection committed in between, and busy_timeout
//   does not apply to that upgrade. With IMMEDIATE the write lock is taken first, so nothing inside can hit BUSY.
//   One helper, inTransaction(), is what every service uses; on PostgreSQL it would be a plain transaction (plus
//   FOR UPDATE on what a rule read).
// - Waiting for the lock is asynchronous. better-sqlite3's busy_timeout waits inside SQLite, synchronously, and
//   freezes the whole process (every request) while it waits. So busy_timeout is small (BUSY_TIMEOUT_MS) and a
//   statement that finds the database locked outside a transaction (BEGIN IMMEDIATE itself, or an autocommit
//   statement) is retried after a setTimeout backoff, for WRITE_LOCK_WAIT_MS at most; meanwhile the event loop
//   answers other requests (reads that need no knex connection: the prepared hotGet/hotAll ones, static files).
//   The process's single connection stays with the waiting transaction, so its other knex queries queue behind it:
//   acquireConnectionTimeout is longer than the longest wait.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../migrations';
import { isPostgres, isPostgresUrl, redactUrl } from './engine';

export type Db = Knex;
export type Trx = Knex.Transaction;

/** SQLite's own (synchronous) wait for a lock: short, it stops the event loop while it waits. */
export const BUSY_TIMEOUT_MS = 20;
/** The longest a statement or a transaction waits (asynchronously) for another connection's write lock. */
export const WRITE_LOCK_WAIT_MS = 30_000;

export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Runs `attempt` again after a growing pause while SQLite says the database is locked, for `maxWaitMs` at most. */
export async function retryWhileBusy<T>(attempt: () => T | Promise<T>, maxWaitMs = WRITE_LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  let pause = 2;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!isBusyError(err) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause + Math.random() * pause, Math.max(1, deadline - Date.now()))));
      pause = Math.min(pause * 2, 100);
    }
  }
}

type KnexClientClass = new (config: Knex.Config) => object;
type RawConn = Database;
type QueryObj = { sql: string };
const BaseClient = require('knex/lib/dialects/better-sqlite3') as KnexClientClass;
const BaseTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (...args: unknown[]) => object;

/** knex's SQLite transaction, begun as a writer. Nested transactions are savepoints and never call begin(). */
class ImmediateTransaction extends (BaseTransaction as new (...args: unknown[]) => { query(conn: RawConn, sql: string): Promise<unknown> }) {
  begin(conn: RawConn) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

/**
 * knex's better-sqlite3 client with two changes: transactions begin IMMEDIATE, and a statement run outside a
 * transaction (BEGIN IMMEDIATE itself, or an autocommit write) waits for a busy database asynchronously.
 * Transactions' own clients are made from this prototype, so BEGIN goes through _query here too.
 */
class WriterTurnsClient extends (BaseClient as new (config: Knex.Config) => { _query(conn: RawConn, obj: QueryObj): Promise<unknown> }) {
  constructor(config: Knex.Config) {
    super({ ...config, client: 'better-sqlite3' }); // libraries read config.client to know the dialect (rate-limiter-flexible)
  }
  transaction(...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  }
  override _query(conn: RawConn, obj: QueryObj): Promise<unknown> {
    if (!conn || conn.inTransaction) return super._query(conn, obj); // inside IMMEDIATE: the lock is ours already
    return retryWhileBusy(() => super._query(conn, obj));
  }
}

/** Tuning that applies to PostgreSQL only (SQLite has one connection per process). */
export type PostgresOptions = { poolMax?: number };

/**
 * Opens the database: PostgreSQL when `target` is a postgres:// URL (DATABASE_URL), otherwise the SQLite file
 * (DATABASE_FILE, or ':memory:').
 */
export function openDb(target: string, pgOptions: PostgresOptions = {}): Db {
  return isPostgresUrl(target) ? openPostgres(target, pgOptions) : openSqlite(target);
}

// pg returns int8 (count(*), sum() of integers) and numeric as strings; kopecks and counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));

function openPostgres(url: string, o: PostgresOptions): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'kabinet' },
    // Transactions are short (a rule's reads and writes, a batch of the charge run); requests wait for a
    // connection at most acquireConnectionTimeout, then answer 503 (a KnexTimeoutError is a storage error).
    pool: { min: 0, max: o.poolMax ?? 10 },
    acquireConnectionTimeout: 15_000,
  });
}

function openSqlite(filename: string): Db {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: WriterTurnsClient as unknown as typeof Knex.Client,
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
          conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`); // short: longer waits are asynchronous (retryWhileBusy)
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    acquireConnectionTimeout: WRITE_LOCK_WAIT_MS + 10_000, // queries queue behind a transaction waiting for the lock
  });
}

export { byEngine, engineOf, isPostgres, isPostgresUrl, redactUrl, type Engine } from './engine';

/**
 * A read that a rule decides on, inside a transaction: locks the rows read until the commit. PostgreSQL:
 * SELECT … FOR UPDATE (a second transaction deciding on the same contract waits, then reads the new state).
 * SQLite: every transaction already holds the only write lock (BEGIN IMMEDIATE), so the query is unchanged.
 * `of`: in a join, lock only these tables' rows (FOR UPDATE OF c), e.g. a contract's and not its tariff's.
 */
export function forUpdate<Q extends Knex.QueryBuilder>(q: Q, ...of: string[]): Q {
  return isPostgres(q) ? (q.forUpdate(...of) as Q) : q;
}

/**
 * Claiming work shared by several processes (jobs, outbox messages): PostgreSQL skips rows another transaction
 * has locked (FOR UPDATE SKIP LOCKED), so each process takes different rows; SQLite's writer lock already makes the
 * claim exclusive.
 */
export function claimable<Q extends Knex.QueryBuilder>(q: Q): Q {
  return isPostgres(q) ? (q.forUpdate().skipLocked() as Q) : q;
}

/** The rows of a raw SELECT on either engine (better-sqlite3 gives an array, pg gives { rows }). */
export async function rawRows<T>(db: Db | Trx, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  const result = (await db.raw(sql, bindings as Knex.RawBinding[])) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * After rows were inserted with their ids given (a seed's fixed towns and tariffs, a copy from SQLite), PostgreSQL's
 * id sequences are moved past the largest id, so that the next insert without an id does not collide. SQLite
 * needs nothing (its next id is max(id) + 1).
 */
export async function syncIdSequences(db: Db | Trx, tables: readonly string[]): Promise<void> {
  if (!isPostgres(db)) return;
  for (const table of tables) await setSequencePastMax(db, table, 'id');
}

/** PostgreSQL: the serial column's sequence set past its largest value (the next insert gets max + 1, or 1). */
export async function setSequencePastMax(db: Db | Trx, table: string, column: string): Promise<void> {
  await db.raw('select setval(pg_get_serial_sequence(?, ?), coalesce((select max(??) from ??), 0) + 1, false)', [table, column, column, table]);
}

/** The database file cannot be opened (or written at start): the message is one line naming the file. */
export class DatabaseOpenError extends Error {}

const explain = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
};

/**
 * Checks the database before knex opens it, so that a wrong setting stops the start with one line.
 * SQLite: opens the file once on its own (creating its folder): a path under a regular file, a directory, a file
 * without permission, a read-only disk or a file that is not a database, e.g.
 * "cannot open the database /srv/x.sqlite: SQLITE_CANTOPEN unable to open database file".
 * PostgreSQL: connects once and asks the server's version: an unreachable server, a wrong password, a missing
 * database or a server older than 13, e.g. "cannot connect to PostgreSQL postgres://kabinet:***@db:5432/kabinet:
 * password authentication failed for user "kabinet"" (never the password itself).
 */
export async function checkDatabase(target: string): Promise<void> {
  if (isPostgresUrl(target)) return checkPostgres(target);
  checkDatabaseFile(target);
}

/** The oldest PostgreSQL the SQL here is written for (EXECUTE FUNCTION in triggers, SKIP LOCKED, ON CONFLICT). */
const POSTGRES_MIN_VERSION = 130000;

async function checkPostgres(url: string): Promise<void> {
  const where = redactUrl(url);
  try {
    new URL(url);
  } catch {
    throw new DatabaseOpenError(`DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a connection dropped after the check is not this check's business
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>('show server_version_num');
    if (Number(rows[0].v) < POSTGRES_MIN_VERSION) throw Object.assign(new Error(`PostgreSQL ${rows[0].v} is too old: 13 or newer is needed`), { code: 'VERSION' });
  } catch (err) {
    throw new DatabaseOpenError(`cannot connect to PostgreSQL ${where}: ${explain(err)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

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

/** How a database is named in messages: the file's full path, or the URL without its password. */
export const databaseLabel = (target: string): string => (isPostgresUrl(target) ? redactUrl(target) : path.resolve(target));

/**
 * Migrations failing on the storage (a full or read-only disk, a lost server) say so in one line, and so does a
 * database that a newer Kabinet has migrated (knex: "The migration directory is corrupt, the following files are
 * missing"): this version must not run on it.
 */
export async function migrateOrExplain(db: Db, target: string): Promise<void> {
  try {
    await migrate(db);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const missing = /following files are missing: (.*)$/s.exec(message);
    if (missing) {
      throw new DatabaseOpenError(
        `the database ${databaseLabel(target)} has migrations this version does not know (${missing[1].trim()}): it was migrated by a newer Kabinet; run that version or restore a backup`,
      );
    }
    if (isStorageError(err)) throw new DatabaseOpenError(`cannot migrate the database ${databaseLabel(target)}: ${explain(err)}`);
    throw err;
  }
}

/** Every migration this code knows, in order (backup, restore and copy-to-postgres compare a database's with them). */
export async function knownMigrations(): Promise<string[]> {
  return (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m));
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/**
 * Runs fn in one transaction: everything it writes lands together or not at all. On SQLite it begins IMMEDIATE
 * (as a writer, waiting its turn asynchronously: see the top of this file). Every service opens its transactions
 * here, never with db.transaction() directly. Inside a transaction (trx given) it is a savepoint.
 */
export function inTransaction<T>(db: Db | Trx, fn: (trx: Trx) => Promise<T>): Promise<T> {
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
 * One row from a prepared statement: for reads on every page (the session, the dashboard), where knex's query
 * building costs more than the query. Reads only. SQL is written with `?` placeholders and must be portable.
 * SQLite: prepared once on the pool's one connection; while a transaction is open on it the read goes through knex,
 * so it waits for the commit instead of seeing uncommitted rows. PostgreSQL: a named prepared statement (parsed
 * once per pooled connection) on a connection taken from the pool.
 */
export async function hotGet<T>(db: Db, sql: string, params: unknown[]): Promise<T | undefined> {
  if (isPostgres(db)) return (await pgPrepared<T>(db, sql, params))[0];
  const hot = await hotConnection(db);
  if (hot.conn.inTransaction) {
    const rows = (await db.raw(sql, params as Knex.RawBinding[])) as T[];
    return rows[0];
  }
  const st = prepared(hot, sql);
  return st.get(...params) as T | undefined;
}

/** Every row of a prepared statement, on the same terms as hotGet. */
export async function hotAll<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  if (isPostgres(db)) return pgPrepared<T>(db, sql, params);
  const hot = await hotConnection(db);
  if (hot.conn.inTransaction) return (await db.raw(sql, params as Knex.RawBinding[])) as T[];
  const st = prepared(hot, sql);
  return st.all(...params) as T[];
}

type PgStatement = { name: string; text: string };
const pgStatements = new Map<string, PgStatement>();

/** `?` placeholders as PostgreSQL's $1, $2 … (outside quoted strings), once per statement. */
function pgStatement(sql: string): PgStatement {
  let st = pgStatements.get(sql);
  if (!st) {
    let n = 0;
    const text = sql.replace(/'(?:[^']|'')*'|\?/g, (m) => (m === '?' ? `$${++n}` : m));
    st = { name: `kabinet_hot_${pgStatements.size + 1}`, text };
    pgStatements.set(sql, st);
  }
  return st;
}

async function pgPrepared<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const conn = (await db.client.acquireConnection()) as pg.PoolClient;
  try {
    const st = pgStatement(sql);
    const result = await conn.query({ name: st.name, text: st.text, values: params });
    return result.rows as T[];
  } finally {
    db.client.releaseConnection(conn);
  }
}

/** SQLite's result codes that mean the disk or the file failed, not the code: full, read-only, I/O error, cannot open, corrupt. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)(_|$)/;

/** True for an error of the storage under the database (the service is unavailable until an operator acts), e.g. a full disk. */
/**
 * PostgreSQL's (and the network's) equivalents: the server is out of disk or memory (class 53), shutting down or
 * not accepting connections (57P01-57P03), a read-only server (25006: a standby after failover), the connection failed (class 08), an I/O error (58030) or corruption
 * (XX001/XX002); the server cannot be reached at all; or no pooled connection came free in time (knex's timeout).
 */
const PG_STORAGE_CODES = /^(53\d\d\d|25006|57P0[123]|08\d\d\d|58030|XX00[12]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE)$/;

/** True for an error of the storage under the database (the service is unavailable until an operator acts), e.g. a full disk. */
export function isStorageError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = e?.code;
  if (typeof code === 'string' && (STORAGE_CODES.test(code) || PG_STORAGE_CODES.test(code))) return true;
  if (e?.name === 'KnexTimeoutError') return true;
  return typeof e?.message === 'string' && /^Connection terminated/.test(e.message);
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
  if (isPostgres(db)) return pgWriteWithoutWaiting(db, sql, params);
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

/** PostgreSQL: the statement in its own transaction with lock_timeout 50 ms (55P03 lock_not_available: 'busy'). */
async function pgWriteWithoutWaiting(db: Db, sql: string, params: unknown[]): Promise<NoWaitWrite> {
  const conn = (await db.client.acquireConnection()) as pg.PoolClient;
  try {
    await conn.query('begin');
    try {
      await conn.query(`set local lock_timeout = '50ms'`);
      await conn.query(pgStatement(sql).text, params);
      await conn.query('commit');
      return 'ok';
    } catch (err) {
      await conn.query('rollback').catch(() => undefined);
      if ((err as { code?: unknown }).code === '55P03') return 'busy';
      throw err;
    }
  } finally {
    db.client.releaseConnection(conn);
  }
}

/**
 * One row read on the pool's connection at once, even while a transaction is open on it (it may then see that
 * transaction's uncommitted rows): for monitoring counts only, which must never wait behind a long transaction.
 */
export async function peekGet<T>(db: Db, sql: string, params: unknown[]): Promise<T | undefined> {
  if (isPostgres(db)) return (await pgPrepared<T>(db, sql, params))[0]; // readers never wait for writers there
  const hot = await hotConnection(db);
  return prepared(hot, sql).get(...params) as T | undefined;
}
