// Recovery's reads (the rest of the feature's knex calls still sit in service.ts; the PostgreSQL issue moves them here).
import type { Db } from '../db';

/** The contract's number, for the new-password rules (a password must not contain it). */
export async function contractNumberOf(db: Db, contractId: number): Promise<string> {
  const row = (await db('contracts').where({ id: contractId }).first('number')) as { number: string } | undefined;
  return row?.number ?? '';
}
