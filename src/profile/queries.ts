// Every knex call of «Профиль»: the contacts and their pending changes, the password, the notices, the sessions.
import type { Db, Trx } from '../db';
import { deleteContractSessions } from '../web/queries';

type Q = Db | Trx;

export function contractPassword(db: Db, contractId: number) {
  return db('contracts').where({ id: contractId }).first<{ number: string; password_hash: string }>('number', 'password_hash');
}

export function setPasswordHash(trx: Trx, contractId: number, hash: string, at: string) {
  return trx('contracts').where({ id: contractId }).update({ password_hash: hash, updated_at: at });
}

/** Every session of the contract but the one given. */
export const deleteOtherSessions = (db: Q, contractId: number, keepSid: string) => deleteContractSessions(db, contractId, keepSid);

// --- contacts

export const contractContact = (db: Q, contractId: number) =>
  db('contracts').where({ id: contractId }).first<{ email: string | null; number: string }>('email', 'number');

export const contractIdExists = async (db: Q, contractId: number) => Boolean(await db('contracts').where({ id: contractId }).first('id'));

export const setContractEmail = (trx: Trx, contractId: number, email: string, at: string) =>
  trx('contracts').where({ id: contractId }).update({ email, updated_at: at });

export const listPhones = (db: Q, contractId: number) =>
  db('contract_phones').where({ contract_id: contractId }).orderBy('id').select<{ id: number; phone: string }[]>('id', 'phone');

export const countPhones = async (db: Q, contractId: number) =>
  Number((await db('contract_phones').where({ contract_id: contractId }).count({ n: '*' }).first())?.n ?? 0);

/** Adds a phone to the contract; one already there is left as it is. */
export const addPhone = (trx: Trx, contractId: number, phone: string, at: string) =>
  trx('contract_phones').insert({ contract_id: contractId, phone, created_at: at }).onConflict(['contract_id', 'phone']).ignore();

export const deletePhone = (trx: Trx, contractId: number, phoneId: number) => trx('contract_phones').where({ id: phoneId, contract_id: contractId }).delete();

// --- pending contact changes (a code to a new phone, a link to a new e-mail)

export type ContactChangeRow = { id: number; contract_id: number; kind: 'phone' | 'email'; value: string; secret_hash: string; wrong_tries: number; expires_at: string };

/** The changes not yet confirmed, cancelled or expired, newest first. */
export const listPendingChanges = (db: Q, contractId: number, nowIso: string) =>
  db('contact_changes').where({ contract_id: contractId }).whereNull('confirmed_at').whereNull('cancelled_at')
    .where('expires_at', '>', nowIso).orderBy('id', 'desc').select<{ id: number; kind: string; value: string; expires_at: string }[]>('id', 'kind', 'value', 'expires_at');

/** How many codes and links the contract was sent since the instant. */
export const countChangesSince = async (db: Q, contractId: number, sinceIso: string) =>
  Number((await db('contact_changes').where({ contract_id: contractId }).where('created_at', '>', sinceIso).count({ n: '*' }).first())?.n ?? 0);

export async function insertContactChange(
  trx: Trx,
  row: { contract_id: number; kind: 'phone' | 'email'; value: string; secret_hash: string; created_at: string; expires_at: string },
): Promise<number> {
  const [{ id }] = (await trx('contact_changes').insert(row).returning('id')) as { id: number }[];
  return id;
}

export const setChangeSecret = (trx: Trx, id: number, secretHash: string) => trx('contact_changes').where({ id }).update({ secret_hash: secretHash });

/** An open change of this contract (not confirmed, not cancelled; expiry is the caller's to check). */
export const findOpenPhoneChange = (db: Q, contractId: number, id: number) =>
  db('contact_changes').where({ id, contract_id: contractId, kind: 'phone' }).whereNull('confirmed_at').whereNull('cancelled_at').first<ContactChangeRow | undefined>();

export const findOpenEmailChange = (db: Q, secretHash: string) =>
  db('contact_changes').where({ secret_hash: secretHash, kind: 'email' }).whereNull('confirmed_at').whereNull('cancelled_at').first<ContactChangeRow | undefined>();

export const recordWrongCode = (db: Q, id: number, tries: number, cancelledAt: string | null) =>
  db('contact_changes').where({ id }).update({ wrong_tries: tries, ...(cancelledAt ? { cancelled_at: cancelledAt } : {}) });

/** Confirms a change once: 1 for the first confirmation, 0 for any after it. */
export const confirmChange = (trx: Trx, id: number, at: string): Promise<number> =>
  trx('contact_changes').where({ id }).whereNull('confirmed_at').update({ confirmed_at: at });

// --- notices

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

export const unreadNoticeCount = async (db: Db, contractId: number) =>
  Number((await db('notifications').where({ contract_id: contractId }).whereNull('read_at').count({ n: '*' }).first())?.n ?? 0);

// --- sessions (the table is the web layer's: src/web/session.ts writes it)

/** The contract's sessions not expired at the instant. `sess` is JSON: text on SQLite, parsed on PostgreSQL. */
export const liveSessions = (db: Db, contractId: number, nowIso: string) =>
  db('sessions').where({ contract_id: contractId }).where('expired', '>=', nowIso).select<{ sid: string; sess: string | object }[]>('sid', 'sess');

export const sessionIds = (db: Db, contractId: number) => db('sessions').where({ contract_id: contractId }).pluck('sid') as Promise<string[]>;

export const deleteSession = (db: Db, contractId: number, sid: string) => db('sessions').where({ sid, contract_id: contractId }).delete();
