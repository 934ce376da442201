// The web layer's own table: sessions (read on every request by src/web/session.ts through hotGet; written by the store).
import { byEngine, hotGet, type Db, type Trx } from '../db';

/** The session's data while it has not expired: one prepared statement on every request (src/db.ts hotGet). */
export const readSession = (db: Db, sid: string, now: Date) =>
  hotGet<{ sess: string | object }>(db, 'select sess from sessions where sid = ? and expired >= ?', [sid, now.toISOString()]);

/** The contract a session is signed in to, in its own indexed column (the sessions page, «end all other sessions»). */
export async function setSessionContract(db: Db, sid: string, contractId: number | null): Promise<void> {
  await db('sessions').where({ sid }).update({ contract_id: contractId });
}

/** Removes sessions past their expiry; returns how many went. */
export function deleteExpiredSessions(db: Db, nowIso: string): Promise<number> {
  return db('sessions').where('expired', '<', nowIso).del();
}

/**
 * Ends every session of a contract but `keepSid` (if given): by the indexed contract_id, and by the session's JSON for
 * rows written before that column existed (never a staff member's read-only view: src/cabinet-view). The JSON is read by each engine's own operator, side by side.
 */
export function deleteContractSessions(db: Db | Trx, contractId: number, keepSid?: string): Promise<number> {
  const q = db('sessions').where((w) =>
    w.where({ contract_id: contractId }).orWhereRaw(
      byEngine(db, {
        sqlite: "json_extract(sess, '$.passport.user.contractId') = ? and json_extract(sess, '$.passport.user.viewer') is null",
        postgres: "(sess::json #>> '{passport,user,contractId}') = ? and (sess::json #> '{passport,user,viewer}') is null",
      }),
      [byEngine<string | number>(db, { sqlite: contractId, postgres: String(contractId) })],
    ),
  );
  if (keepSid !== undefined) q.whereNot({ sid: keepSid });
  return q.delete();
}
