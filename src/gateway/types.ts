// The payment gateway as the portal sees it: YooKassa API v3's objects and verbs, whichever provider answers.
// No card number or CVC ever reaches us: the subscriber pays on the gateway's page (confirmation_url).

export type Amount = { value: string; currency: string };

export type GatewayPaymentStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';

export type GatewayPayment = {
  id: string;
  status: GatewayPaymentStatus;
  amount: Amount;
  paid: boolean;
  confirmationUrl: string | null;
  /** The card used, when the gateway tells: id (for later charges when saved), saved, a mask to show. */
  paymentMethod: { id: string; saved: boolean; mask: string | null } | null;
  metadata: Record<string, string>;
  /** canceled: who and why (YooKassa's cancellation_details.reason, e.g. card_expired, insufficient_funds). */
  cancellation: { party: string; reason: string } | null;
};

export type ReceiptCustomer = { email: string } | { phone: string };
export type Receipt = {
  customer: ReceiptCustomer;
  items: { description: string; quantity: string; amount: Amount; vat_code: number; payment_mode: string; payment_subject: string }[];
  tax_system_code: number;
};

export type CreatePayment = {
  amountKopecks: number;
  description: string;
  receipt: Receipt;
  /** Where the gateway sends the subscriber back (redirect confirmation); absent when charging a saved card. */
  returnUrl?: string;
  /** The same key again returns the same payment: a retry after a timeout never creates a second one. */
  idempotenceKey: string;
  savePaymentMethod?: boolean;
  /** Charge a saved card without the subscriber (autopayment). */
  paymentMethodId?: string;
  metadata: Record<string, string>;
};

export type GatewayRefund = { id: string; status: 'pending' | 'succeeded' | 'canceled'; amount: Amount; paymentId: string };

export interface Gateway {
  readonly name: 'sandbox' | 'yookassa';
  createPayment(req: CreatePayment): Promise<GatewayPayment>;
  /** The payment as the gateway knows it, or null when it knows no such payment. */
  getPayment(id: string): Promise<GatewayPayment | null>;
  createRefund(req: { paymentId: string; amountKopecks: number; idempotenceKey: string; receipt?: Receipt }): Promise<GatewayRefund>;
}

/** The gateway did not answer (timeout, network), answered 5xx, or refused the request (4xx). */
export class GatewayError extends Error {
  constructor(
    readonly kind: 'timeout' | 'unavailable' | 'refused',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** 12345 -> "123.45" and back: YooKassa's amount.value (the arithmetic is in lib/money.ts, with no floating point). */
export { decimalValue as toValue, parseDecimalValue as fromValue } from '../lib/money';
