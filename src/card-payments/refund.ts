// Refunds (staff, `npm run payments -- refund <id> [amount]`): a full or partial refund of a succeeded card payment
// through the gateway; one `payment_refunds` row and one 'refund' ledger entry per gateway refund.
import { postEntry } from '../billing/service';
import { inTransaction } from '../db';
import { formatMoney } from '../lib/money';
import { notify } from '../notifications/notify';
import * as q from './queries';
import { contractNumberOf, receiptFor } from './receipt';
import type { Deps } from './types';

export type RefundResult = { refundId: string; amount: number; created: boolean };

export function refunding({ ctx, gateway }: Deps) {
  const cfg = ctx.config.payments;

  return async function refund(paymentId: number, amountKopecks?: number): Promise<RefundResult> {
    const row = await q.paymentById(ctx.db, paymentId);
    if (!row || !row.gateway || !row.gateway_payment_id) throw new Error(`payment ${paymentId} is not a card payment`);
    if (row.gateway !== gateway.name) throw new Error(`payment ${paymentId} went through ${row.gateway}, the configured gateway is ${gateway.name}`);
    if (row.status !== 'succeeded' && row.status !== 'refunded') throw new Error(`payment ${paymentId} is ${row.status}: only a succeeded payment can be refunded`);
    const left = row.amount_kopecks - row.refunded_kopecks;
    const amount = amountKopecks ?? left;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left) throw new Error(`the refund must be from 0,01 to ${formatMoney(left)} (what is left of the payment)`);
    // The key names what is refunded so far: a re-run after a crash asks the gateway for the same refund.
    const receipt = row.receipt_contact ? receiptFor(await contractNumberOf(ctx.db, row.contract_id), amount, row.receipt_contact, cfg.receipt) : undefined;
    const gr = await gateway.createRefund({ paymentId: row.gateway_payment_id, amountKopecks: amount, idempotenceKey: `refund:${row.id}:${row.refunded_kopecks}:${amount}`, receipt });
    if (gr.status === 'canceled') throw new Error(`the gateway refused the refund ${gr.id}`);
    return inTransaction(ctx.db, async (trx) => {
      // Locked first: another refund of this payment waits here, then sees this one's row and sum.
      const locked = (await q.lockPayment(trx, row.id))!;
      const at = ctx.clock.now().toISOString();
      if (await q.refundByGatewayId(trx, row.id, gr.id)) return { refundId: gr.id, amount, created: false };
      const { entryId } = await postEntry(trx, {
        contract_id: row.contract_id, kind: 'refund', amount_kopecks: -amount, description: 'Возврат платежа на карту',
        idempotency_key: `gateway_refund:${row.gateway}:${gr.id}`, occurred_at: at,
      });
      await q.insertRefund(trx, { payment_id: row.id, gateway_refund_id: gr.id, amount_kopecks: amount, ledger_entry_id: entryId, created_at: at });
      const refunded = locked.refunded_kopecks + amount;
      await q.updatePayment(trx, row.id, { refunded_kopecks: refunded, status: refunded >= locked.amount_kopecks ? 'refunded' : 'succeeded' });
      await notify(ctx, trx, { contractId: row.contract_id, topic: 'payments', key: `refund:${gr.id}`, title: 'Возврат платежа', text: `${formatMoney(amount)} возвращено на карту.` });
      return { refundId: gr.id, amount, created: true };
    });
  };
}
