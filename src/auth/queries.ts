import type { Db } from '../db';

export function findContractForSignIn(db: Db, number: string) {
  return db('contracts').select('id', 'password_hash').where({ number }).first<{ id: number; password_hash: string } | undefined>();
}
