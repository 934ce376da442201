// The profile's knex calls for «Сменить пароль» and the notices (the older parts of the profile still query in
// service.ts; new work goes here).
import type { Db, Trx } from '../db';

export function contractPassword(db: Db, contractId: number) {
  return db('contracts').where({ id: contractId }).first<{ number: string; password_hash: string }>('number', 'password_hash');
}

export function setPasswordHash(trx: Trx, contractId: number, hash: string, at: string) {
  return trx('contracts').where({ id: contractId }).update({ password_hash: hash, updated_at: at });
}

/** Every session of the contract but the one given (by the indexed contract_id, and by the JSON for older rows). */
export function deleteOtherSessions(trx: Trx, contractId: number, keepSid: string) {
  return trx('sessions').whereNot({ sid: keepSid })
    .andWhere((q) => q.where({ contract_id: contractId }).orWhereRaw("json_extract(sess, '$.passport.user.contractId') = ?", [contractId]))
    .delete();
}

export type NoticeRow = { id: number; topic: string; title: string; body: string; link: string | null; created_at: string; read_at: string | null };

export function latestNotices(db: Db, contractId: number, limit: number) {
  return db('notifications').where({ contract_id: contractId }).orderBy('id', 'desc').limit(limit)
    .select<NoticeRow[]>('id', 'topic', 'title', 'body', 'link', 'created_at', 'read_at');
}

/** Marks one notice of the contract read (id given) or all of them; answers how many changed. */
export function markNoticesRead(db: Db, contractId: number, at: string, id?: number) {
  const q = db('notifications').where({ contract_id: contractId }).whereNull('read_at');
  if (id !== undefined) q.andWhere({ id });
  return q.update({ read_at: at });
}
