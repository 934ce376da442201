// The test_clock row (migration 20261203180000): every knex call of the testers' clock.
import { peekGet, type Db } from '../db';

export type ClockRow = { at: string | null; since: string | null; started_from: string | null; changed_by: string; changed_at: string };

const NAME = 'clock';

/** The row, read at once (never behind a long transaction: each process reads it every second). */
export const readClockRow = (db: Db) =>
  peekGet<ClockRow>(db, 'select at, since, started_from, changed_by, changed_at from test_clock where name = ?', [NAME]);

/** Writes the setting (at and since both null: real time); started_from is kept unless given. */
export async function writeClockRow(db: Db, row: { at: string | null; since: string | null; changed_by: string; changed_at: string; started_from?: string | null }): Promise<void> {
  const columns = ['at', 'since', 'changed_by', 'changed_at', ...(row.started_from !== undefined ? ['started_from'] : [])];
  await db('test_clock').insert({ name: NAME, started_from: null, ...row }).onConflict('name').merge(columns);
}
