// A full or read-only disk, simulated on the test app's in-memory database (its pool has one connection).
import type { Db } from '../../src/db';

type Filler = { table: string; row: (i: number, text: string) => Record<string, unknown> };

/** Rows that fill the sessions table's last page (sids sort after every real one, rowids come last). */
export const sessionFiller: Filler = { table: 'sessions', row: (i, text) => ({ sid: `~fill-${String(i).padStart(6, '0')}`, sess: JSON.stringify({ x: text }), expired: '2000-01-01T00:00:00.000Z' }) };
/** Rows that fill the heartbeats table's page where 'health' and 'scheduler' go ('fill-…' sorts before both). */
export const heartbeatFiller: Filler = { table: 'heartbeats', row: (i, text) => ({ name: `fill-${String(i).padStart(6, '0')}`, at: '2000-01-01T00:00:00.000Z', detail: text }) };

const isFull = (err: unknown) => (err as { code?: string }).code === 'SQLITE_FULL';

/**
 * The disk is full: the database may not grow by one page (max_page_count = page_count), and the given tables'
 * last pages are filled to the brim (rows of decreasing size until none fits), so that any new row in them fails with
 * SQLITE_FULL, as every write does on a real full disk (SQLite only fails there when it needs a new page).
 */
export async function fillDisk(db: Db, fillers: Filler[]): Promise<void> {
  const [{ page_count }] = (await db.raw('pragma page_count')) as { page_count: number }[];
  await db.raw(`pragma max_page_count = ${page_count}`);
  let i = 0;
  for (const f of fillers) {
    for (const size of [3000, 1000, 300, 100, 30, 10, 1]) {
      for (;;) {
        try {
          await db(f.table).insert(f.row(++i, 'x'.repeat(size)));
        } catch (err) {
          if (isFull(err)) break;
          throw err;
        }
      }
    }
  }
}

/** The disk became read-only (or the file's permissions changed): every write fails with SQLITE_READONLY. */
export async function makeReadOnly(db: Db): Promise<void> {
  await db.raw('pragma query_only = 1');
}

/** The disk is back. */
export async function makeWritable(db: Db): Promise<void> {
  await db.raw('pragma query_only = 0');
  await db.raw('pragma max_page_count = 1073741823');
}
