// The audit log: every staff action and every security event of a subscriber, one row each. Append-only: the
// database refuses an update or a delete of a row (migrations/20261203100000_operators.ts), as it does for the ledger.
import type { AppContext } from '../context';
import type { Db, Trx } from '../db';
import { insertAuditRow } from './queries';

export type AuditEvent = {
  actor: 'subscriber' | 'staff' | 'system' | 'visitor';
  actorId?: number | null;
  contractId?: number | null;
  action: string;
  ip?: string | null;
  detail?: Record<string, unknown>;
  /** A staff action's values as they were, and as it left them (never a password, a code or a token). */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

/** One row; pass the transaction of the change it records, so that the two land (or fail) together. */
export async function audit(ctx: AppContext, e: AuditEvent, db: Db | Trx = ctx.db): Promise<void> {
  await insertAuditRow(db, {
    at: ctx.clock.now().toISOString(),
    actor: e.actor,
    actor_id: e.actorId ?? null,
    contract_id: e.contractId ?? null,
    action: e.action,
    ip: e.ip ?? null,
    detail: e.detail ? JSON.stringify(e.detail) : null,
    before: e.before ? JSON.stringify(e.before) : null,
    after: e.after ? JSON.stringify(e.after) : null,
  });
}

/** Who did a staff action, from where: what a console service takes instead of the request. */
export type StaffActor = { staffId: number; ip: string };

/** A staff member's action, in the transaction that makes it when there is one. */
export function auditStaff(
  ctx: AppContext,
  actor: StaffActor,
  e: Omit<AuditEvent, 'actor' | 'actorId' | 'ip'>,
  db: Db | Trx = ctx.db,
): Promise<void> {
  return audit(ctx, { ...e, actor: 'staff', actorId: actor.staffId, ip: actor.ip }, db);
}
