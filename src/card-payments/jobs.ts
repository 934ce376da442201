// Card payments' scheduled work, run on every scheduler tick (each minute): reconciliation of card payments still
// pending after PAYMENT_RECONCILE_AFTER_MINUTES, then the autopayment rules (which follow the payments just settled).
// Both are idempotent: a second process or a tick after a crash finds the work done (payment rows final, one
// autopay_charges row per contract and period).
import type { AppContext } from '../context';
import type { CardPayments } from './service';

export function paymentsTick(ctx: AppContext, services: { cardPayments: Pick<CardPayments, 'reconcile'>; autopay: { run(): Promise<{ created: number; tried: number }> } }) {
  return async () => {
    const r = await services.cardPayments.reconcile();
    if (r.checked) ctx.logger.info({ reconcile: r }, 'payments reconciled');
    const a = await services.autopay.run();
    if (a.tried) ctx.logger.info({ autopay: a }, 'autopayments tried');
  };
}
