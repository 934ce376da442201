// What the pay page, the return page and the receipt show.
import { createCabinetService } from '../cabinet/service';
import type { AppContext } from '../context';
import type { Receipt } from '../gateway/types';
import { formatMoney } from '../lib/money';
import { clampAmount, receiptContactOf, type OnlinePaymentRow } from './online';

export function createPayPageService(ctx: AppContext) {
  const cabinet = createCabinetService(ctx);
  const cfg = ctx.config.payments;
  return {
    /** The amount suggested (the debt and next month, or next month's fee), the receipt contact from the contract. */
    async page(contractId: number) {
      const d = await cabinet.dashboard(contractId);
      // blocked: what opens it today, and the next month after it (the dashboard shows the two apart)
      const owed = (d.unblock?.amount ?? 0) + (d.toPayNextMonth ?? 0);
      const raw = owed > 0 ? owed : d.contract.monthly_fee_kopecks;
      const suggested = clampAmount(Math.ceil(raw / 100) * 100, cfg);
      const contact = (await receiptContactOf(ctx.db, contractId, { lastPayment: false, asStored: true })) ?? '';
      const autopay = await ctx.db('autopay').where({ contract_id: contractId }).first<{ status: string; card_mask: string } | undefined>('status', 'card_mask');
      const suggestedWhy = d.unblock ? 'pay.suggest.unblock' : owed > 0 ? 'pay.suggest.owed' : 'pay.suggest.fee';
      const unblock = d.unblock ? formatMoney(d.unblock.amount) : '';
      return { contract: d.contract, owed, suggested, suggestedWhy, suggestedParams: { unblock }, contact, autopay: autopay ?? null };
    },

    async balance(contractId: number) {
      const c = await ctx.db('contracts').where({ id: contractId }).first<{ balance_kopecks: number }>('balance_kopecks');
      return c?.balance_kopecks ?? 0;
    },

    /** A card payment's receipt as sent to the gateway (the fiscal data operator sends the subscriber the fiscal one). */
    async receipt(contractId: number, paymentId: number) {
      const payment = await ctx.db('payments').where({ id: paymentId, contract_id: contractId }).first<OnlinePaymentRow | undefined>();
      if (!payment?.receipt) return null;
      const refunds = await ctx.db('payment_refunds').where({ payment_id: paymentId }).orderBy('id').select<{ amount_kopecks: number; created_at: string }[]>('amount_kopecks', 'created_at');
      return { payment, receipt: JSON.parse(payment.receipt) as Receipt, refunds };
    },
  };
}
export type PayPageService = ReturnType<typeof createPayPageService>;
