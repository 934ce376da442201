// Reconciliation: card payments still pending after PAYMENT_RECONCILE_AFTER_MINUTES are asked about at the gateway.
// A row the gateway never confirmed creating is created again with the same Idempotence-Key and the same body (the
// gateway answers with the payment it may already have), then settled from that answer.
import { GatewayError } from '../gateway/types';
import * as q from './queries';
import type { Settling } from './settle';
import type { Starting } from './start';
import type { Deps, SettleResult } from './types';

export type ReconcileResult = { checked: number; credited: number; canceled: number; failed: number };

export function reconciling({ ctx, gateway, autopay }: Deps, settling: Settling, starting: Starting) {
  const cfg = ctx.config.payments;

  return async function reconcile(limit = 200): Promise<ReconcileResult> {
    const before = new Date(ctx.clock.now().getTime() - cfg.reconcileAfterMs).toISOString();
    const rows = await q.pendingPayments(ctx.db, gateway.name, before, limit);
    const r: ReconcileResult = { checked: 0, credited: 0, canceled: 0, failed: 0 };
    for (const row of rows) {
      r.checked++;
      try {
        let result: SettleResult;
        if (row.gateway_payment_id) {
          result = await settling.settle(row.gateway_payment_id);
        } else if (row.method === 'autopay' && !(await autopay.stillWants(row))) {
          // The subscriber turned autopayment off (or changed the card) since: the charge is not made after all.
          await starting.cancelUnsent(row.id, 'autopay_off');
          result = 'canceled';
        } else {
          result = await settling.apply(row.id, await starting.create(row));
        }
        if (result === 'credited') r.credited++;
        if (result === 'canceled') r.canceled++;
      } catch (err) {
        if (err instanceof GatewayError && err.kind === 'refused' && !row.gateway_payment_id) {
          // Refused for good (4xx): as start() does, so the row does not come back in every batch.
          await starting.cancelUnsent(row.id, 'gateway_refused');
          r.canceled++;
          ctx.logger.warn({ err, payment: row.id }, 'the gateway refused to create the payment on reconciliation: canceled');
          continue;
        }
        r.failed++;
        ctx.logger.warn({ err, payment: row.id }, 'reconciliation could not settle a payment; next run tries again');
      }
    }
    return r;
  };
}
