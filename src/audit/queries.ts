import type { Db, Trx } from '../db';

export type AuditRow = {
  at: string; actor: string; actor_id: number | null; contract_id: number | null; action: string; ip: string | null; detail: string | null;
  before?: string | null; after?: string | null;
};

export async function insertAuditRow(db: Db | Trx, row: AuditRow): Promise<void> {
  await db('audit_log').insert(row);
}
