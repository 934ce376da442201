// Online payments' scheduled work, run on every scheduler tick (each minute): reconciliation of card payments still
// pending after PAYMENT_RECONCILE_AFTER_MINUTES, then the autopayment rules. Both are idempotent: a second process or
// a tick after a crash finds the work done (payment rows final, one autopay_charges row per contract and period).
import { createAutopayService } from '../autopay/service';
import type { AppContext } from '../context';
import { createOnlinePayments, type OnlinePayments } from './online';

export function paymentsTick(ctx: AppContext, online: OnlinePayments = createOnlinePayments(ctx)) {
  const autopay = createAutopayService(ctx, online);
  return async () => {
    const r = await online.reconcile();
    if (r.checked) ctx.logger.info({ reconcile: r }, 'payments reconciled');
    const a = await autopay.run();
    if (a.tried) ctx.logger.info({ autopay: a }, 'autopayments tried');
  };
}
