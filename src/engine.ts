// Which engine a knex instance runs on, and the helpers that pick per engine. Its own module (no imports from the
// app) so that migrations can use it too: src/db.ts re-exports everything here.
import type { Knex } from 'knex';

/** SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg, with DATABASE_URL). */
export type Engine = 'sqlite' | 'postgres';
type WithClient = { client: { config: { client?: unknown } } };
type HasEngine = Knex | Knex.Transaction | Knex.QueryBuilder;

export function engineOf(db: HasEngine): Engine {
  return (db as unknown as WithClient).client.config.client === 'pg' ? 'postgres' : 'sqlite';
}
export const isPostgres = (db: HasEngine): boolean => engineOf(db) === 'postgres';

/** Picks the version of something (a statement, a setting) written for this engine: the two side by side. */
export function byEngine<T>(db: HasEngine, versions: { sqlite: T; postgres: T }): T {
  return versions[engineOf(db)];
}

/** postgres://… or postgresql://… (DATABASE_URL); anything else is a SQLite file name. */
export const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//i.test(target);

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
