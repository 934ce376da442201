// Backup and restore of the SQLite file. SQLite-specific by nature, so it talks to better-sqlite3 directly, on
// connections of its own (never the app's pool): the backup API copies a consistent snapshot while others write.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { knownMigrations } from '../db';

/** A file that is not a backup this version can restore: the message is the one line the operator sees. */
export class NotABackupError extends Error {}


function appliedMigrations(conn: Database): string[] | null {
  const table = conn.prepare("select 1 from sqlite_master where type = 'table' and name = 'knex_migrations'").get();
  if (!table) return null;
  return (conn.prepare('select name from knex_migrations order by id').all() as { name: string }[]).map((r) => r.name);
}

/**
 * Copies the live database into `dest` with SQLite's backup API, in one step after the first: the copy is one read
 * transaction, a consistent snapshot even while other processes write (WAL: they are not held up). Written to a
 * temporary name beside `dest` and renamed when complete, in rollback-journal mode (one self-contained file).
 */
export async function backupSqlite(source: string, dest: string): Promise<{ bytes: number; migrations: number }> {
  if (!fs.existsSync(source)) throw new Error(`there is no database at ${path.resolve(source)}`);
  const partial = `${dest}.partial-${process.pid}`;
  const src = new BetterSqlite3(source, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(partial, { progress: () => 0x7fffffff }); // everything in the next step: no restarts under writers
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    src.close();
  }
  let migrations: number;
  try {
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
      migrations = appliedMigrations(copy)?.length ?? 0;
    } finally {
      copy.close();
    }
    fs.renameSync(partial, dest);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  return { bytes: fs.statSync(dest).size, migrations };
}

/** What a backup file holds, or NotABackupError naming why it is not one this version can restore. */
export async function inspectSqliteBackup(file: string): Promise<{ migrations: string[]; pending: string[] }> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new NotABackupError(`${file} is not a file`);
  let conn: Database;
  try {
    conn = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new NotABackupError(`${file} cannot be opened as a SQLite database: ${(err as Error).message}`);
  }
  try {
    let applied: string[] | null;
    try {
      applied = appliedMigrations(conn);
    } catch (err) {
      throw new NotABackupError(`${file} is not a SQLite database (${(err as { code?: string }).code ?? (err as Error).message}): not a Kabinet backup`);
    }
    if (applied === null || applied.length === 0) throw new NotABackupError(`${file} is a SQLite database without Kabinet's migrations (no knex_migrations): not a Kabinet backup`);
    const known = await knownMigrations();
    const unknown = applied.filter((m) => !known.includes(m));
    if (unknown.length) throw new NotABackupError(`${file} was made by a newer Kabinet (migration ${unknown[0]} is unknown here): restore it with that version`);
    const check = conn.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new NotABackupError(`${file} is damaged: ${String(check)}`);
    return { migrations: applied, pending: known.filter((m) => !applied!.includes(m)) };
  } finally {
    conn.close();
  }
}

/**
 * Whether another connection (a server, a CLI command, any program) has the database open. A WAL connection holds
 * a shared lock on the file from its first read until it closes (the app's pool never closes its one connection),
 * and leaving WAL mode needs every other connection gone: so `journal_mode = DELETE` fails with SQLITE_BUSY exactly
 * while someone else has the file open. The OS drops the lock when a process dies (even kill -9): no stale pid file.
 * When nobody has it, the file is left in rollback-journal mode (the next opener, the app, sets WAL again).
 * Limits: it sees processes on this machine's kernel (the same host, or containers sharing the volume), as SQLite's
 * own locking does; a network file system is unsupported for SQLite anyway.
 */
export function sqliteInUse(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const conn = new BetterSqlite3(file, { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 0');
    conn.pragma('journal_mode = DELETE');
    return false;
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) return true;
    throw err;
  } finally {
    conn.close();
  }
}

/** Copies the backup over the database (the backup API writes it page by page, in one transaction), then WAL again. */
export async function restoreSqlite(backupFile: string, target: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const src = new BetterSqlite3(backupFile, { readonly: true, fileMustExist: true });
  try {
    await src.backup(target, { progress: () => 0x7fffffff });
  } finally {
    src.close();
  }
  const conn = new BetterSqlite3(target, { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.pragma('journal_mode = WAL');
  } finally {
    conn.close();
  }
}

/** A name for a backup made now: base-label-2026-12-03T10-15-30Z.sqlite (no colons, sorts by time). */
export function stampedName(base: string, label: string, at: Date): string {
  return `${base}-${label}-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.sqlite`;
}

/**
 * Before a start applies migrations to a database that has some already: a copy in backups/ beside the file.
 * Returns the copy's path and the pending migrations, or null when there is nothing to protect (a new or empty
 * file, or nothing pending).
 */
export async function backupBeforeMigrate(file: string, at: Date): Promise<{ file: string; pending: string[] } | null> {
  if (file === ':memory:' || !fs.existsSync(file)) return null;
  const conn = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  let applied: string[] | null;
  try {
    applied = appliedMigrations(conn);
  } finally {
    conn.close();
  }
  if (!applied || applied.length === 0) return null;
  const pending = (await knownMigrations()).filter((m) => !applied!.includes(m));
  if (pending.length === 0) return null;
  const dir = path.join(path.dirname(path.resolve(file)), 'backups');
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, stampedName(path.basename(file).replace(/\.(sqlite3?|db)$/i, ''), 'before-migrate', at));
  await backupSqlite(file, dest);
  return { file: dest, pending };
}
