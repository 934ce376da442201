// Starting a card payment: a pending row first (committed with whatever the caller writes beside it), then the
// gateway. A gateway that does not answer leaves the row for reconciliation, which sends the very same request again.
import crypto from 'node:crypto';
import { contractMoney } from '../billing/service';
import { inTransaction, type Trx } from '../db';
import { Conflict } from '../web/errors';
import { GatewayError, type GatewayPayment, type Receipt } from '../gateway/types';
import { t } from '../web/i18n';
import * as q from './queries';
import { contractNumberOf, receiptFor } from './receipt';
import type { Settling } from './settle';
import type { CardPaymentRow, Deps, SettleResult } from './types';

export type StartResult =
  | { kind: 'redirect'; url: string; paymentId: number }
  | { kind: 'settled'; paymentId: number; result: SettleResult }
  | { kind: 'gateway_down'; paymentId: number; reason: 'timeout' | 'unavailable' | 'refused' };

export type StartInput = {
  contractId: number; amountKopecks: number; contact: string; method?: 'card' | 'autopay';
  savePaymentMethod?: boolean; paymentMethodId?: string; autopayId?: number; key?: string;
  /** Written in the same transaction as the pending row (the autopay consent, the charge's link), before the gateway is called. */
  withRow?: (trx: Trx, paymentId: number) => Promise<void>;
};

export function starting({ ctx, gateway }: Deps, settling: Settling) {
  const cfg = ctx.config.payments;

  /** The create request, rebuilt from the row alone: reconciliation sends the very same body with the same key. */
  function createRequest(row: CardPaymentRow, contractNumber: string) {
    const paymentMethodId = row.payment_method_id ?? undefined;
    return {
      amountKopecks: row.amount_kopecks,
      description: t('pay.gateway.description', { number: contractNumber }),
      receipt: JSON.parse(row.receipt ?? 'null') as Receipt,
      returnUrl: paymentMethodId ? undefined : `${ctx.config.publicUrl}/cabinet/pay/${row.id}`,
      idempotenceKey: row.idempotency_key,
      savePaymentMethod: Boolean(row.save_payment_method) || undefined,
      paymentMethodId,
      metadata: { payment_id: String(row.id), contract: contractNumber },
    };
  }

  /** Sends the create request of a row (again, with the same key) and records the gateway's id on it. */
  async function create(row: CardPaymentRow, contractNumber?: string): Promise<GatewayPayment> {
    const gp = await gateway.createPayment(createRequest(row, contractNumber ?? (await contractNumberOf(ctx.db, row.contract_id))));
    await q.attachGatewayPayment(ctx.db, row.id, gp.id, gp.confirmationUrl);
    return gp;
  }

  /** A pending row that will never be a gateway payment: canceled with the reason, so reconciliation leaves it. */
  const cancelUnsent = (paymentId: number, problem: string) => q.cancelUnsentPayment(ctx.db, paymentId, problem, ctx.clock.now().toISOString());

  /** A pending row first, then the gateway; a gateway that does not answer leaves the row for reconciliation. */
  async function start(input: StartInput): Promise<StartResult> {
    // A closed contract takes no card payment (its debt is paid at the office or by bank transfer), nor an autopayment.
    if ((await contractMoney(ctx.db, input.contractId))?.status === 'closed') throw new Conflict('adm.close.refused.pay');
    const number = await contractNumberOf(ctx.db, input.contractId);
    const receipt = receiptFor(number, input.amountKopecks, input.contact, cfg.receipt);
    const key = input.key ?? `pay:${crypto.randomUUID()}`;
    const paymentId = await inTransaction(ctx.db, async (trx) => {
      const id = await q.insertCardPayment(trx, {
        contract_id: input.contractId, amount_kopecks: input.amountKopecks, method: input.method ?? 'card', status: 'pending', ledger_entry_id: null,
        idempotency_key: key, created_at: ctx.clock.now().toISOString(), gateway: gateway.name, receipt_contact: input.contact,
        receipt: JSON.stringify(receipt), autopay_id: input.autopayId ?? null,
        save_payment_method: Boolean(input.savePaymentMethod), payment_method_id: input.paymentMethodId ?? null,
      });
      if (input.withRow) await input.withRow(trx, id);
      return id;
    });
    const row = (await q.paymentById(ctx.db, paymentId))!;
    let gp: GatewayPayment;
    try {
      gp = await create(row, number);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      ctx.logger.warn({ err, payment: paymentId }, 'gateway did not create the payment; reconciliation will ask again with the same Idempotence-Key');
      if (err.kind === 'refused') await cancelUnsent(paymentId, 'gateway_refused');
      return { kind: 'gateway_down', paymentId, reason: err.kind };
    }
    if (gp.status !== 'pending' || !gp.confirmationUrl) return { kind: 'settled', paymentId, result: await settling.apply(paymentId, gp) };
    return { kind: 'redirect', url: gp.confirmationUrl, paymentId };
  }

  return { start, create, cancelUnsent };
}
export type Starting = ReturnType<typeof starting>;
