// Every knex call of «Журнал действий»: the audit log searched by staff member, contract, action and period.
import type { Db } from '../../db';

export type AuditFilter = { staffId: number | null; contractId: number | null; action: string | null; fromAt: string | null; toAt: string | null };
export type AuditListRow = {
  id: number; at: string; actor: string; actor_id: number | null; contract_id: number | null; action: string; ip: string | null;
  detail: string | null; before: string | null; after: string | null; staff_login: string | null; staff_name: string | null; contract_number: string | null;
};

/** Newest first; one row more than asked, so the page knows whether an older one follows. */
export const searchAudit = (db: Db, f: AuditFilter, o: { limit: number; offset: number }): Promise<AuditListRow[]> =>
  db('audit_log as a')
    .leftJoin('staff as s', function () {
      this.on('s.id', 'a.actor_id').andOnVal('a.actor', '=', 'staff');
    })
    .leftJoin('contracts as c', 'c.id', 'a.contract_id')
    .modify((q) => {
      if (f.staffId !== null) q.where({ 'a.actor': 'staff', 'a.actor_id': f.staffId });
      if (f.contractId !== null) q.where('a.contract_id', f.contractId);
      if (f.action !== null) q.where('a.action', f.action);
      if (f.fromAt !== null) q.where('a.at', '>=', f.fromAt);
      if (f.toAt !== null) q.where('a.at', '<', f.toAt);
    })
    .orderBy([{ column: 'a.at', order: 'desc' }, { column: 'a.id', order: 'desc' }])
    .limit(o.limit + 1)
    .offset(o.offset)
    .select('a.id', 'a.at', 'a.actor', 'a.actor_id', 'a.contract_id', 'a.action', 'a.ip', 'a.detail', 'a.before', 'a.after',
      { staff_login: 's.login', staff_name: 's.name', contract_number: 'c.number' });

export const auditActions = async (db: Db): Promise<string[]> =>
  (await db('audit_log').distinct('action').orderBy('action')).map((r: { action: string }) => r.action);

export const contractIdByNumber = async (db: Db, number: string): Promise<number | null> =>
  ((await db('contracts').where({ number }).first<{ id: number } | undefined>('id'))?.id ?? null);
