// What the parts of card payments (start, settle, reconcile, refund, the pay page) share.
import type { AppContext } from '../context';
import type { Trx } from '../db';
import type { Gateway } from '../gateway/types';
import type { CardPaymentRow } from './queries';

export type { CardPaymentRow } from './queries';

export type SettleResult = 'credited' | 'canceled' | 'pending' | 'final' | 'unknown' | 'mismatch';

/** A card saved at the gateway by a payment (its id charges it again; the mask is what the subscriber sees). */
export type SavedCard = { gateway: string; paymentMethodId: string; mask: string };

/**
 * What card payments ask autopayment, which starts some of them, without importing it (autopay/ uses card-payments/,
 * never the other way round). src/services.ts gives autopay/hooks.ts here.
 */
export type AutopayHooks = {
  /** In settle's transaction, after a payment is credited with a card the gateway saved: a first payment turns autopayment on. */
  afterCredit(trx: Trx, payment: CardPaymentRow, card: SavedCard, at: string): Promise<void>;
  /** Reconciliation: an autopayment try that never reached the gateway is made only if autopayment is still on with that card. */
  stillWants(payment: CardPaymentRow): Promise<boolean>;
  /** The pay page mentions the contract's autopayment. */
  shownOnPayPage(contractId: number): Promise<{ status: string; card_mask: string } | null>;
};

export type Deps = { ctx: AppContext; gateway: Gateway; autopay: AutopayHooks };

/** Cancellation reasons after which a saved card will not work again (YooKassa's cancellation_details.reason). */
export const PERMANENT_REFUSALS = new Set(['card_expired', 'permission_revoked', 'payment_method_restricted', 'fraud_suspected', 'country_forbidden', 'issuer_unavailable_for_good']);

export const ledgerKeyOf = (gateway: string, gatewayPaymentId: string) => `gateway_payment:${gateway}:${gatewayPaymentId}`;

/** An amount kept within the payment limits (PAYMENT_MIN_RUBLES–PAYMENT_MAX_RUBLES). */
export const clampAmount = (kopecks: number, cfg: { minKopecks: number; maxKopecks: number }) => Math.min(cfg.maxKopecks, Math.max(cfg.minKopecks, kopecks));
