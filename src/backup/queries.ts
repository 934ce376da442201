// The knex calls of backup and restore (PostgreSQL's side: who else is connected, what the target holds).
import type { Db } from '../db';
import { rawRows } from '../db';

export type OtherSession = { application_name: string; addr: string | null; n: number };

/** Other connections to this database (PostgreSQL), grouped by program and address. */
export async function otherSessions(db: Db): Promise<OtherSession[]> {
  const rows = await rawRows<OtherSession>(db, `select coalesce(application_name, '') as application_name, host(client_addr) as addr, count(*) as n
    from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() group by 1, 2`);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The scheduler's last tick (heartbeats), or null when the table or the row is not there. */
export async function lastSchedulerTick(db: Db): Promise<string | null> {
  if (!(await db.schema.hasTable('heartbeats'))) return null;
  const row = await db('heartbeats').where({ name: 'scheduler' }).first<{ at: string } | undefined>('at');
  return row?.at ?? null;
}

/** The migrations applied to this database ([] when it has none). */
export async function appliedMigrationNames(db: Db): Promise<string[]> {
  if (!(await db.schema.hasTable('knex_migrations'))) return [];
  return (await db('knex_migrations').orderBy('id').select<{ name: string }[]>('name')).map((r) => r.name);
}
