// What card payments ask autopayment (card-payments/types.ts AutopayHooks): card-payments never imports autopay/,
// src/services.ts hands these over.
import type { AutopayHooks } from '../card-payments/types';
import type { AppContext } from '../context';
import { notify } from '../notifications/notify';
import { t } from '../web/i18n';
import * as q from './queries';

export function autopayHooks(ctx: AppContext): AutopayHooks {
  return {
    /** A first payment that saved the card turns autopayment on with the rule and terms the subscriber accepted with it. */
    async afterCredit(trx, payment, card, at) {
      const consent = await q.consentOfPayment(trx, payment.id);
      if (!consent) return;
      await q.saveAutopay(trx, payment.contract_id, at, {
        status: 'active', rule: consent.rule as 'threshold' | 'monthly', amount_kopecks: consent.amount_kopecks, threshold_kopecks: consent.threshold_kopecks,
        day: consent.day, gateway: card.gateway, payment_method_id: card.paymentMethodId, card_mask: card.mask,
        terms_version: consent.terms_version, terms_text: consent.terms_text, terms_accepted_at: consent.accepted_at, off_reason: null, updated_at: at,
      });
      await notify(ctx, trx, {
        contractId: payment.contract_id, topic: 'payments', key: `autopay_on:${payment.id}`, link: '/cabinet/autopay',
        title: t('notice.autopayOn.title'), text: t('notice.autopayOn.text', { card: card.mask }),
      });
    },

    async stillWants(payment) {
      if (!payment.autopay_id || !payment.payment_method_id) return false;
      const a = await q.autopayById(ctx.db, payment.autopay_id);
      return a?.status === 'active' && a.payment_method_id === payment.payment_method_id;
    },

    async shownOnPayPage(contractId) {
      const a = await q.autopayOf(ctx.db, contractId);
      return a ? { status: a.status, card_mask: a.card_mask } : null;
    },
  };
}
