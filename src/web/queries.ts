// The web layer's own table: sessions (read on every request by src/web/session.ts through hotGet; written by the store).
import type { Db } from '../db';

/** Removes sessions past their expiry; returns how many went. */
export function deleteExpiredSessions(db: Db, nowIso: string): Promise<number> {
  return db('sessions').where('expired', '<', nowIso).del();
}
