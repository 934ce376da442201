// The sandbox gateway: a stand-in for YooKassa inside the app, for the demo, testers and the browser suite.
// Its "API" answers from its own tables in YooKassa's shapes; its payment page (/sandbox/pay/:id, see routes.ts)
// lets the tester pay, decline or leave the payment hanging, and then sends our notification endpoint the same
// JSON YooKassa would send. No money moves anywhere.
import crypto from 'node:crypto';
import type { AppContext } from '../context';
import * as q from './queries';
import type { SandboxPaymentRow } from './queries';
import { parsePayment } from './yookassa';
import { GatewayError, toValue, type Gateway, type GatewayPayment } from './types';

const CONFIRMATION_EXPIRES_MS = 60 * 60_000;

export type { SandboxPaymentRow } from './queries';

/** The row as YooKassa's payment object (what GET /v3/payments/{id} and the notification carry). */
export function sandboxPaymentObject(row: SandboxPaymentRow, card: { last4: string } | null, publicUrl: string) {
  return {
    id: row.id,
    status: row.status,
    paid: row.status === 'succeeded',
    amount: { value: toValue(row.amount_kopecks), currency: row.currency },
    description: row.description,
    created_at: row.created_at,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    test: true,
    ...(row.status === 'pending' && row.return_url ? { confirmation: { type: 'redirect', confirmation_url: `${publicUrl}/sandbox/pay/${row.id}` } } : {}),
    ...(row.payment_method_id && card
      ? { payment_method: { type: 'bank_card', id: row.payment_method_id, saved: Boolean(row.save_payment_method) || !row.return_url, title: `Тестовая карта *${card.last4}`, card: { last4: card.last4, card_type: 'Visa' } } }
      : {}),
    ...(row.status === 'canceled' ? { cancellation_details: { party: 'payment_network', reason: row.cancellation_reason ?? 'general_decline' } } : {}),
  };
}

/** `newId`: how the sandbox names a new payment or refund (a fixture's load names them in order, so it loads the same twice). */
export function createSandboxGateway(ctx: AppContext, o: { newId?: (prefix: 'sbx' | 'sbr') => string } = {}): Gateway {
  const newId = o.newId ?? ((prefix: 'sbx' | 'sbr') => `${prefix}-${crypto.randomUUID()}`);
  const publicUrl = ctx.config.publicUrl;
  const load = (id: string) => q.sandboxPayment(ctx.db, id);
  const cardOf = async (id: string | null) => (id ? q.sandboxCard(ctx.db, id) : undefined);
  const toPayment = async (row: SandboxPaymentRow): Promise<GatewayPayment> => parsePayment(sandboxPaymentObject(row, (await cardOf(row.payment_method_id)) ?? null, publicUrl));

  return {
    name: 'sandbox',
    async createPayment(req) {
      const earlier = await q.sandboxPaymentByKey(ctx.db, req.idempotenceKey);
      if (earlier) return toPayment(earlier);
      if (!Number.isSafeInteger(req.amountKopecks) || req.amountKopecks <= 0) throw new GatewayError('refused', 'sandbox: invalid amount', 400);
      if (!req.paymentMethodId && !(req.returnUrl ?? '').startsWith(`${publicUrl}/`)) throw new GatewayError('refused', 'sandbox: return_url must be an address of the portal', 400);
      const now = ctx.clock.now().toISOString();
      const row: SandboxPaymentRow = {
        id: newId('sbx'), idempotence_key: req.idempotenceKey, amount_kopecks: req.amountKopecks, currency: 'RUB',
        description: req.description.slice(0, 128), return_url: req.returnUrl ?? null, status: 'pending', cancellation_reason: null,
        save_payment_method: Boolean(req.savePaymentMethod), payment_method_id: null, metadata: JSON.stringify(req.metadata),
        receipt: JSON.stringify(req.receipt), created_at: now, updated_at: now,
      };
      if (req.paymentMethodId) {
        // A saved card is charged at once: a test card marked refused is refused for good, one marked failing fails this time.
        const card = await cardOf(req.paymentMethodId);
        if (!card) throw new GatewayError('refused', 'sandbox: unknown payment_method_id', 400);
        row.payment_method_id = req.paymentMethodId;
        row.status = card.status === 'ok' ? 'succeeded' : 'canceled';
        if (card.status !== 'ok') row.cancellation_reason = card.status === 'refused' ? 'permission_revoked' : 'insufficient_funds';
      }
      await q.insertSandboxPayment(ctx.db, row);
      const stored = await q.sandboxPaymentByKey(ctx.db, req.idempotenceKey);
      return toPayment(stored!);
    },
    async getPayment(id) {
      const row = await load(id);
      if (!row) return null;
      // As YooKassa does, a payment nobody confirmed within an hour is canceled.
      if (row.status === 'pending' && row.return_url && ctx.clock.now().getTime() - new Date(row.created_at).getTime() > CONFIRMATION_EXPIRES_MS) {
        const at = ctx.clock.now().toISOString();
        await q.finishSandboxPayment(ctx.db, id, { status: 'canceled', cancellation_reason: 'expired_on_confirmation', updated_at: at });
        return toPayment((await load(id))!);
      }
      return toPayment(row);
    },
    async createRefund(req) {
      const earlier = await q.sandboxRefundByKey(ctx.db, req.idempotenceKey);
      if (earlier) return { id: earlier.id, status: 'succeeded', amount: { value: toValue(earlier.amount_kopecks), currency: 'RUB' }, paymentId: earlier.payment_id };
      const p = await load(req.paymentId);
      if (!p || p.status !== 'succeeded') throw new GatewayError('refused', 'sandbox: the payment is not succeeded', 400);
      const refunded = await q.sandboxRefundedSum(ctx.db, p.id);
      if (req.amountKopecks <= 0 || req.amountKopecks > p.amount_kopecks - refunded) throw new GatewayError('refused', 'sandbox: the refund is more than is left of the payment', 400);
      const id = newId('sbr');
      await q.insertSandboxRefund(ctx.db, { id, idempotence_key: req.idempotenceKey, payment_id: p.id, amount_kopecks: req.amountKopecks, created_at: ctx.clock.now().toISOString() });
      return { id, status: 'succeeded', amount: { value: toValue(req.amountKopecks), currency: 'RUB' }, paymentId: p.id };
    },
  };
}
