// «История платежей»: a subscriber's payments, newest first, 20 a page, in a period of provider days.
import type { AppContext } from '../context';
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
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
