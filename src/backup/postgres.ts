// Backup and restore of a PostgreSQL database with PostgreSQL's own tools: pg_dump (custom format) and pg_restore,
// run as child processes. The password travels in PGPASSWORD, never on a command line that `ps` shows.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { knownMigrations } from '../db';
import { NotABackupError } from './sqlite';

/** pg_dump or pg_restore: from the PATH (the OS's search path, not a setting), else the newest Debian install. */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (fs.existsSync(path.join(base, v, 'bin', name))) return path.join(base, v, 'bin', name);
  throw new Error(`${name} is not installed: install the PostgreSQL client tools (Debian: postgresql-client), the server's major version or newer`);
}

/** The URL without its password (for the tools' --dbname) and the password (for PGPASSWORD). */
export function splitPassword(url: string): { dbname: string; password: string | undefined } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { dbname: u.toString(), password };
}

/** Runs a PostgreSQL tool; its stderr's last line becomes the error (one line naming the problem). */
function run(tool: string, args: string[], password: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { PGCONNECT_TIMEOUT: '10', ...process.env, ...(password !== undefined ? { PGPASSWORD: password } : {}) };
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const lines = stderr.trim().split('\n').filter(Boolean);
      reject(new Error(`${path.basename(tool)} failed: ${(lines.find((l) => /error|fatal/i.test(l)) ?? lines.at(-1) ?? `exit code ${code}`).trim()}`));
    });
  });
}

/** pg_dump --format=custom of the whole database into `dest` (written to a temporary name, renamed when complete). */
export async function backupPostgres(url: string, dest: string): Promise<{ bytes: number; migrations: number }> {
  const { dbname, password } = splitPassword(url);
  const partial = `${dest}.partial-${process.pid}`;
  try {
    await run(pgTool('pg_dump'), ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${dbname}`], password);
    await run(pgTool('pg_restore'), ['--list', partial], undefined); // the archive reads back
    const migrations = await inspectPostgresBackup(partial).then((r) => r.migrations.length, (err: unknown) => {
      if (err instanceof NotABackupError) return 0; // a database without Kabinet's tables: saved as it is
      throw err;
    });
    fs.renameSync(partial, dest);
    return { bytes: fs.statSync(dest).size, migrations };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** What a pg_dump archive holds (its knex_migrations rows, read with pg_restore), or NotABackupError. */
export async function inspectPostgresBackup(file: string): Promise<{ migrations: string[]; pending: string[] }> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new NotABackupError(`${file} is not a file`);
  const restore = pgTool('pg_restore');
  let list: string;
  try {
    list = await run(restore, ['--list', file], undefined);
  } catch {
    throw new NotABackupError(`${file} is not a pg_dump archive in custom format: not a Kabinet backup`);
  }
  if (!/ TABLE DATA \S+ knex_migrations /.test(list)) throw new NotABackupError(`${file} is a pg_dump archive without Kabinet's migrations (no knex_migrations): not a Kabinet backup`);
  // The rows of knex_migrations as COPY text: id, name, batch, migration_time, tab-separated.
  const data = await run(restore, ['--data-only', '--table=knex_migrations', '--file=-', file], undefined);
  const copy = data.split('\n');
  const start = copy.findIndex((l) => /^COPY \S*knex_migrations /.test(l));
  const migrations: string[] = [];
  for (let i = start + 1; start >= 0 && i < copy.length && copy[i] !== '\\.'; i++) migrations.push(copy[i].split('\t')[1]);
  if (migrations.length === 0) throw new NotABackupError(`${file} holds no applied migrations: not a Kabinet backup`);
  const known = await knownMigrations();
  const unknown = migrations.filter((m) => !known.includes(m));
  if (unknown.length) throw new NotABackupError(`${file} was made by a newer Kabinet (migration ${unknown[0]} is unknown here): restore it with that version`);
  return { migrations, pending: known.filter((m) => !migrations.includes(m)) };
}

/** pg_restore --clean --if-exists into the database, in one transaction (all or nothing). */
export async function restorePostgres(file: string, url: string): Promise<void> {
  const { dbname, password } = splitPassword(url);
  await run(pgTool('pg_restore'), ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, file], password);
}
