// The audit log: every staff action and every security event of a subscriber, one row each.
import type { AppContext } from '../context';
import { insertAuditRow } from './queries';

export type AuditEvent = {
  actor: 'subscriber' | 'staff' | 'system' | 'visitor';
  actorId?: number | null;
  contractId?: number | null;
  action: string;
  ip?: string | null;
  detail?: Record<string, unknown>;
};

export async function audit(ctx: AppContext, e: AuditEvent): Promise<void> {
  await insertAuditRow(ctx.db, {
    at: ctx.clock.now().toISOString(),
    actor: e.actor,
    actor_id: e.actorId ?? null,
    contract_id: e.contractId ?? null,
    action: e.action,
    ip: e.ip ?? null,
    detail: e.detail ? JSON.stringify(e.detail) : null,
  });
}
