// Settling: the only way a gateway payment reaches the ledger. settle() fetches the payment from the gateway and
// trusts only that answer, then in one transaction moves our pending row to its final state and credits the ledger
// through postEntry with a key derived from the gateway's payment id. The notification, the return page's check,
// reconciliation and any duplicate all go through here.
//
// Exactly once, on either engine: the transaction's first read locks our row (forUpdate: SELECT … FOR UPDATE on
// PostgreSQL; SQLite's writer lock already serialises), so of two settles at once the second waits for the first's
// commit and finds the row final. The ledger key's unique index stays as the last guard.
import { postEntry } from '../billing/service';
import { inTransaction } from '../db';
import { fromValue, type GatewayPayment } from '../gateway/types';
import { dayOf } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { notify } from '../notifications/notify';
import * as q from './queries';
import { ledgerKeyOf, type CardPaymentRow, type Deps, type SettleResult } from './types';

export function settling({ ctx, gateway, autopay }: Deps) {
  const tz = ctx.config.timeZone;

  /** Moves a pending row to the gateway's final state; the ledger is credited once, keyed by the gateway's id. */
  async function apply(rowId: number, gp: GatewayPayment): Promise<SettleResult> {
    const amount = fromValue(gp.amount.value);
    return inTransaction(ctx.db, async (trx) => {
      const row = await q.lockPayment(trx, rowId);
      if (!row) return 'unknown';
      if (row.status !== 'pending') return 'final';
      if (row.gateway_payment_id && row.gateway_payment_id !== gp.id) return 'unknown';
      const now = ctx.clock.now();
      const at = now.toISOString();
      if (gp.status === 'succeeded') {
        if (amount !== row.amount_kopecks || gp.amount.currency !== 'RUB') {
          await q.updatePayment(trx, row.id, { problem: 'amount_mismatch' });
          ctx.logger.error({ payment: row.id, gateway: gp.id, ours: row.amount_kopecks, theirs: gp.amount }, 'gateway payment amount does not match ours: not credited');
          return 'mismatch';
        }
        const { entryId } = await postEntry(
          trx,
          {
            contract_id: row.contract_id, kind: 'payment', amount_kopecks: row.amount_kopecks,
            description: row.method === 'autopay' ? 'Автоплатёж банковской картой' : 'Оплата банковской картой',
            idempotency_key: ledgerKeyOf(row.gateway ?? gateway.name, gp.id), occurred_at: at,
          },
          { today: dayOf(now, tz), cause: 'payment' },
        );
        await q.updatePayment(trx, row.id, {
          status: 'succeeded', ledger_entry_id: entryId, gateway_payment_id: gp.id, settled_at: at, card_mask: gp.paymentMethod?.mask ?? row.card_mask, problem: null,
        });
        await notify(ctx, trx, {
          contractId: row.contract_id, topic: 'payments', key: `payment_succeeded:${row.id}`, link: `/cabinet/pay/${row.id}`,
          title: row.method === 'autopay' ? 'Автоплатёж зачислен' : 'Платёж зачислен',
          text: `${formatMoney(row.amount_kopecks)} зачислено на баланс.`,
        });
        if (gp.paymentMethod?.saved) {
          const card = { gateway: row.gateway ?? gateway.name, paymentMethodId: gp.paymentMethod.id, mask: gp.paymentMethod.mask ?? 'Карта' };
          await autopay.afterCredit(trx, row, card, at);
        }
        return 'credited';
      }
      if (gp.status === 'canceled') {
        await q.updatePayment(trx, row.id, { status: 'canceled', gateway_payment_id: gp.id, settled_at: at, problem: gp.cancellation?.reason ?? null });
        return 'canceled';
      }
      return 'pending';
    });
  }

  /** The row a gateway payment belongs to: by the gateway's id, or (an answer that came before we stored it) by its metadata. */
  async function rowFor(gp: GatewayPayment): Promise<CardPaymentRow | undefined> {
    const known = await q.paymentByGatewayId(ctx.db, gateway.name, gp.id);
    if (known) return known;
    const id = Number(gp.metadata.payment_id);
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const row = await q.paymentById(ctx.db, id);
    return row && row.gateway === gateway.name && !row.gateway_payment_id ? row : undefined;
  }

  /** Settles a gateway payment by its id, from the gateway's own answer (a notification names only the id). */
  async function settle(gatewayPaymentId: string): Promise<SettleResult> {
    const gp = await gateway.getPayment(gatewayPaymentId); // the only answer we trust
    if (!gp) return 'unknown';
    const row = await rowFor(gp);
    if (!row) return 'unknown';
    if (row.status !== 'pending') return 'final';
    return apply(row.id, gp);
  }

  /** The return page's check: a pending row of this contract is settled from the gateway's answer. */
  async function check(contractId: number, paymentId: number): Promise<CardPaymentRow | undefined> {
    const row = await q.paymentById(ctx.db, paymentId);
    if (!row || row.contract_id !== contractId) return undefined;
    if (row.status === 'pending' && row.gateway_payment_id) {
      try {
        await settle(row.gateway_payment_id);
      } catch (err) {
        ctx.logger.warn({ err, payment: paymentId }, 'return page could not ask the gateway; the notification or reconciliation will settle it');
      }
      return q.paymentById(ctx.db, paymentId);
    }
    return row;
  }

  return { apply, settle, check };
}
export type Settling = ReturnType<typeof settling>;
