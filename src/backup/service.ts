// `kabinet backup FILE` and `kabinet restore FILE [--force]` on either engine. Both run without migrating the
// database first (boot's migrations would change what is being saved or replaced).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { openDb, redactUrl, type Db } from '../db';
import { backupPostgres, inspectPostgresBackup, restorePostgres } from './postgres';
import { appliedMigrationNames, lastSchedulerTick, otherSessions } from './queries';
import { backupSqlite, inspectSqliteBackup, restoreSqlite, sqliteInUse, stampedName } from './sqlite';

export { NotABackupError } from './sqlite';

/** A restore refused because the database is in use or would be left inconsistent: one line, exit code 1. */
export class RestoreRefused extends Error {}

/**
 * PostgreSQL: a Kabinet process holds pool connections only while it works (pool min 0), but its scheduler ticks every
 * minute (heartbeats). A tick younger than this, or a newer tick while we watch, means a process is running.
 */
export const IN_USE_TICK_MS = 75_000;

type EngineTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** Where the configured database is. */
export function targetOf(config: Config): EngineTarget {
  return config.databaseUrl ? { engine: 'postgres', url: config.databaseUrl } : { engine: 'sqlite', file: path.resolve(config.databaseFile) };
}

export type BackupResult = { file: string; bytes: number; migrations: number; seconds: number };

export async function backupDatabase(config: Config, dest: string): Promise<BackupResult> {
  const file = path.resolve(dest);
  if (fs.existsSync(file)) throw new Error(`${file} exists already: give a new name (backups are never overwritten)`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const started = Date.now();
  const target = targetOf(config);
  const r = target.engine === 'sqlite' ? await backupSqlite(target.file, file) : await backupPostgres(target.url, file);
  return { file, ...r, seconds: (Date.now() - started) / 1000 };
}

export type RestoreResult = { from: string; into: string; migrations: number; pending: number; savedCurrent: string | null };

/**
 * Why the PostgreSQL database counts as in use, or null: other sessions connected to it (pg_stat_activity: the app's
 * are named 'kabinet'), or the scheduler's heartbeat ticking. A tick younger than IN_USE_TICK_MS with nobody
 * connected is watched until it is that old: a running process ticks again (or connects) within the minute.
 */
async function postgresInUse(db: Db, say: (line: string) => void): Promise<string | null> {
  const first = await lastSchedulerTick(db);
  for (let said = false; ;) {
    const others = await otherSessions(db);
    if (others.length) return others.map((s) => `${s.n} session(s) of ${s.application_name || 'a client'}${s.addr ? ` from ${s.addr}` : ''}`).join(', ');
    const tick = await lastSchedulerTick(db);
    if (tick !== first) return `the scheduler ticked at ${tick}`;
    const age = tick === null ? Infinity : Date.now() - new Date(tick).getTime();
    if (age >= IN_USE_TICK_MS) return null;
    if (!said) {
      say(`the scheduler ticked ${Math.round(age / 1000)} s ago: watching ${Math.ceil((IN_USE_TICK_MS - age) / 1000)} s more for a running Kabinet process`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function restoreDatabase(config: Config, backupFile: string, o: { force: boolean; now: Date; say?: (line: string) => void }): Promise<RestoreResult> {
  const file = path.resolve(backupFile);
  const target = targetOf(config);
  if (target.engine === 'sqlite') {
    const inspected = await inspectSqliteBackup(file); // NotABackupError first: nothing is touched
    if (path.resolve(file) === target.file) throw new RestoreRefused('the backup is the database itself');
    if (sqliteInUse(target.file) && !o.force) {
      throw new RestoreRefused(`the database ${target.file} is in use (a server or another command has it open): stop it first, or add --force to replace it under them`);
    }
    let savedCurrent: string | null = null;
    if (fs.existsSync(target.file) && fs.statSync(target.file).size > 0) {
      const dir = path.join(path.dirname(target.file), 'backups');
      fs.mkdirSync(dir, { recursive: true });
      savedCurrent = path.join(dir, stampedName(path.basename(target.file).replace(/\.(sqlite3?|db)$/i, ''), 'before-restore', o.now));
      await backupSqlite(target.file, savedCurrent);
    }
    await restoreSqlite(file, target.file);
    return { from: file, into: target.file, migrations: inspected.migrations.length, pending: inspected.pending.length, savedCurrent };
  }

  const inspected = await inspectPostgresBackup(file);
  const db = openDb(target.url, { poolMax: 1 });
  let savedCurrent: string | null = null;
  try {
    const busy = o.force ? null : await postgresInUse(db, o.say ?? (() => {}));
    if (busy) throw new RestoreRefused(`the database is in use (${busy}): stop every Kabinet process first, or add --force`);
    const current = await appliedMigrationNames(db);
    const extra = current.filter((m) => !inspected.migrations.includes(m));
    if (extra.length) {
      throw new RestoreRefused(`the database has migrations the backup lacks (${extra[0]} …): pg_restore --clean would leave their tables behind; restore into an empty database (createdb) and point DATABASE_URL at it`);
    }
    if (current.length) {
      savedCurrent = path.join(path.dirname(file), stampedName('database', 'before-restore', o.now).replace(/\.sqlite$/, '.dump'));
      await backupPostgres(target.url, savedCurrent);
    }
  } finally {
    await db.destroy();
  }
  await restorePostgres(file, target.url);
  return { from: file, into: redactUrl(target.url), migrations: inspected.migrations.length, pending: inspected.pending.length, savedCurrent };
}
