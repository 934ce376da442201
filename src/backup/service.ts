// `kabinet backup FILE` and `kabinet restore FILE [--force]` on either engine. Both run without migrating the
// database first (boot's migrations would change what is being saved or replaced).
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import type { Config } from '../config';
import type { Db } from '../db';
import { backupPostgres, inspectPostgresBackup, restorePostgres } from './postgres';
import { appliedMigrationNames, lastSchedulerTick, otherSessions } from './queries';
import { backupSqlite, inspectSqliteBackup, restoreSqlite, sqliteInUse, stampedName } from './sqlite';

export { NotABackupError } from './sqlite';

/** A restore refused because the database is in use or would be left inconsistent: one line, exit code 1. */
export class RestoreRefused extends Error {}

/** A scheduler tick younger than this means a Kabinet process is running on the database. */
export const IN_USE_TICK_MS = 2 * 60_000;

type EngineTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** Where the configured database is. */
export function targetOf(config: Config): EngineTarget {
  const url = (config as Config & { databaseUrl?: string }).databaseUrl;
  return url ? { engine: 'postgres', url } : { engine: 'sqlite', file: path.resolve(config.databaseFile) };
}

function openPostgres(url: string): Db {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
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

export async function restoreDatabase(config: Config, backupFile: string, o: { force: boolean; now: Date }): Promise<RestoreResult> {
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
  const db = openPostgres(target.url);
  let savedCurrent: string | null = null;
  try {
    const others = await otherSessions(db);
    const tick = await lastSchedulerTick(db);
    const recentTick = tick !== null && o.now.getTime() - new Date(tick).getTime() < IN_USE_TICK_MS;
    if ((others.length > 0 || recentTick) && !o.force) {
      const who = others.map((s) => `${s.n} from ${s.application_name || 'a client'}${s.addr ? ` at ${s.addr}` : ''}`).join(', ');
      throw new RestoreRefused(`the database is in use (${who || `the scheduler ticked at ${tick}`}): stop the app first, or add --force`);
    }
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
  const { dbname } = { dbname: new URL(target.url).pathname.slice(1) };
  return { from: file, into: `PostgreSQL database ${dbname}`, migrations: inspected.migrations.length, pending: inspected.pending.length, savedCurrent };
}
