// What the pay page and the return page show: the amount suggested, the receipt contact, the balance.
import { contractMoney } from '../billing/service';
import type { CabinetService } from '../cabinet/service';
import { formatMoney, roundUpToRubles } from '../lib/money';
import { receiptContactOf } from './receipt';
import { clampAmount, type Deps } from './types';

export function payPage({ ctx, autopay }: Deps, cabinet: Pick<CabinetService, 'dashboard'>) {
  const cfg = ctx.config.payments;
  return {
    /** The amount suggested (the debt and next month, or next month's fee), the receipt contact from the contract. */
    async page(contractId: number) {
      const d = await cabinet.dashboard(contractId);
      // blocked: what opens it today, and the next month after it (the dashboard shows the two apart)
      const owed = (d.unblock?.amount ?? 0) + (d.toPayNextMonth ?? 0);
      const raw = owed > 0 ? owed : d.contract.monthly_fee_kopecks;
      const suggested = clampAmount(roundUpToRubles(raw), cfg);
      const contact = (await receiptContactOf(ctx.db, contractId, { lastPayment: false, asStored: true })) ?? '';
      const suggestedWhy = d.unblock ? 'pay.suggest.unblock' : owed > 0 ? 'pay.suggest.owed' : 'pay.suggest.fee';
      const unblock = d.unblock ? formatMoney(d.unblock.amount) : '';
      return { contract: d.contract, owed, suggested, suggestedWhy, suggestedParams: { unblock }, contact, autopay: await autopay.shownOnPayPage(contractId) };
    },

    /** The balance now (billing's one reader of a contract's money). */
    balance: async (contractId: number) => (await contractMoney(ctx.db, contractId))?.balance_kopecks ?? 0,
  };
}
