// Every knex call of «Не помните пароль?»: attempts, codes, the contract's phones, the new password.
import type { Db, Trx } from '../db';
import { deleteContractSessions } from '../web/queries';

type Q = Db | Trx;

export type AttemptState = 'open' | 'verified' | 'done' | 'ended';
export type AttemptRow = { id: number; token_hash: string; contract_id: number | null; state: AttemptState; wrong_tries: number; expires_at: string; verified_at: string | null };
export type CodeRow = { id: number; attempt_id: number; phone: string; code_hash: string; expires_at: string; used_at: string | null };

/** The contract's number, for the new-password rules (a password must not contain it). */
export async function contractNumberOf(db: Db, contractId: number): Promise<string> {
  const row = (await db('contracts').where({ id: contractId }).first('number')) as { number: string } | undefined;
  return row?.number ?? '';
}

export const contractIdByNumber = async (db: Db, number: string): Promise<number | undefined> =>
  ((await db('contracts').where({ number }).first('id')) as { id: number } | undefined)?.id;

export const phonesOf = (db: Db, contractId: number) => db('contract_phones').where({ contract_id: contractId }).orderBy('id').pluck('phone') as Promise<string[]>;

// --- attempts

export const findAttempt = (db: Db, tokenHash: string) => db('recovery_attempts').where({ token_hash: tokenHash }).first<AttemptRow | undefined>();

export const isAttemptEnded = async (db: Db, tokenHash: string) => Boolean(await db('recovery_attempts').where({ token_hash: tokenHash, state: 'ended' }).first('id'));

export const insertAttempt = (db: Db, row: { token_hash: string; contract_id: number | null; ip: string; state: AttemptState; wrong_tries: number; created_at: string; expires_at: string }) =>
  db('recovery_attempts').insert(row);

export const recordWrongCode = (db: Db, attemptId: number, tries: number, ended: boolean) =>
  db('recovery_attempts').where({ id: attemptId }).update({ wrong_tries: tries, ...(ended ? { state: 'ended' } : {}) });

export const markVerified = (db: Db, attemptId: number, at: string) => db('recovery_attempts').where({ id: attemptId }).update({ state: 'verified', verified_at: at });

/** Moves a verified attempt to done, once: 1 for the first, 0 for any after it. */
export const markDone = (trx: Trx, attemptId: number): Promise<number> => trx('recovery_attempts').where({ id: attemptId, state: 'verified' }).update({ state: 'done' });

// --- codes

export const lastCodeAt = async (db: Db, contractId: number): Promise<string | undefined> =>
  ((await db('recovery_codes').where({ contract_id: contractId }).orderBy('id', 'desc').first('created_at')) as { created_at: string } | undefined)?.created_at;

export const countCodesSince = async (db: Db, contractId: number, sinceIso: string) =>
  Number((await db('recovery_codes').where({ contract_id: contractId }).where('created_at', '>', sinceIso).count({ n: '*' }).first())?.n ?? 0);

export const insertCode = (trx: Trx, row: { attempt_id: number; contract_id: number; phone: string; code_hash: string; created_at: string; expires_at: string }) =>
  trx('recovery_codes').insert(row);

/** The attempt's newest code. */
export const newestCode = (db: Db, attemptId: number) => db('recovery_codes').where({ attempt_id: attemptId }).orderBy('id', 'desc').first<CodeRow | undefined>();

/** Uses a code once: 1 for the first, 0 for any after it. */
export const useCode = (db: Db, codeId: number, at: string): Promise<number> => db('recovery_codes').where({ id: codeId, used_at: null }).update({ used_at: at });

// --- the new password

export const setPasswordHash = (trx: Trx, contractId: number, hash: string, at: string) => trx('contracts').where({ id: contractId }).update({ password_hash: hash, updated_at: at });

/** Every session of the contract ends. */
export const deleteSessionsOf = (trx: Trx, contractId: number) => deleteContractSessions(trx, contractId);
