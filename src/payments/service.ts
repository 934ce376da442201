// «История платежей»: a subscriber's payments, newest first, 20 a page, in a period of provider days; and the
// receipt of a card payment.
import type { AppContext } from '../context';
import type { Receipt } from '../gateway/types';
import { addDays, startOfDay } from '../lib/dates';
import type { HistoryQuery } from './forms';
import * as q from './queries';

export const PAGE_SIZE = 20;

export function createPaymentsService(ctx: AppContext) {
  const tz = ctx.config.timeZone;
  return {
    async history(contractId: number, query: HistoryQuery) {
      const filter: q.PaymentFilter = {
        contractId,
        fromIso: query.from ? startOfDay(query.from, tz).toISOString() : null,
        toIso: query.to ? startOfDay(addDays(query.to, 1), tz).toISOString() : null,
      };
      const total = await q.countPayments(ctx.db, filter);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const page = Math.min(query.page, pages);
      const rows = total ? await q.listPayments(ctx.db, filter, PAGE_SIZE, (page - 1) * PAGE_SIZE) : [];
      return { rows, total, page, pages };
    },

    /** A card payment's receipt as sent to the gateway (the fiscal data operator sends the subscriber the fiscal one). */
    async receipt(contractId: number, paymentId: number) {
      const payment = await q.paymentOfContract(ctx.db, contractId, paymentId);
      if (!payment?.receipt) return null;
      const refunds = await q.refundsOf(ctx.db, paymentId);
      return { payment, receipt: JSON.parse(payment.receipt) as Receipt, refunds };
    },
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
