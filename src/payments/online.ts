// Online payment by card: start (a pending row, then the gateway), settle (the one way a gateway payment reaches
// the ledger), reconcile (ask the gateway about what is still pending) and refund (staff, through the CLI).
//
// Exactly once: settle() fetches the payment from the gateway and trusts only that answer, then in one transaction
// moves our pending row to its final state and credits the ledger through postEntry with a key derived from the
// gateway's payment id. The notification, the return page's check, reconciliation and any duplicate all go through
// here; whichever comes first credits, the others find the row final (or the ledger key taken) and change nothing.
import crypto from 'node:crypto';
import { postEntry } from '../billing/service';
import type { AppContext } from '../context';
import { inTransaction, type Trx } from '../db';
import { createGateway } from '../gateway';
import { fromValue, GatewayError, toValue, type Gateway, type GatewayPayment, type Receipt } from '../gateway/types';
import { dayOf } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { notify } from '../notifications/notify';
import { t } from '../web/i18n';

export type OnlinePaymentRow = {
  id: number; contract_id: number; amount_kopecks: number; method: string; status: string; ledger_entry_id: number | null;
  idempotency_key: string; created_at: string; gateway: string | null; gateway_payment_id: string | null; confirmation_url: string | null;
  receipt_contact: string | null; receipt: string | null; card_mask: string | null; refunded_kopecks: number; problem: string | null;
  autopay_id: number | null; settled_at: string | null; save_payment_method: number | boolean; payment_method_id: string | null;
};

export type SettleResult = 'credited' | 'canceled' | 'pending' | 'final' | 'unknown' | 'mismatch';

/** Cancellation reasons after which a saved card will not work again (YooKassa's cancellation_details.reason). */
export const PERMANENT_REFUSALS = new Set(['card_expired', 'permission_revoked', 'payment_method_restricted', 'fraud_suspected', 'country_forbidden', 'issuer_unavailable_for_good']);

export const ledgerKeyOf = (gateway: string, gatewayPaymentId: string) => `gateway_payment:${gateway}:${gatewayPaymentId}`;

export function receiptFor(contractNumber: string, amountKopecks: number, contact: string, cfg: { vatCode: number; taxSystemCode: number }): Receipt {
  return {
    customer: contact.includes('@') ? { email: contact } : { phone: contact },
    items: [{
      description: t('receipt.itemText', { number: contractNumber }), quantity: '1.00', amount: { value: toValue(amountKopecks), currency: 'RUB' },
      vat_code: cfg.vatCode, payment_mode: 'full_prepayment', payment_subject: 'service',
    }],
    tax_system_code: cfg.taxSystemCode,
  };
}

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

/** An amount kept within the payment limits (PAYMENT_MIN_RUBLES–PAYMENT_MAX_RUBLES). */
export const clampAmount = (kopecks: number, cfg: { minKopecks: number; maxKopecks: number }) => Math.min(cfg.maxKopecks, Math.max(cfg.minKopecks, kopecks));

/**
 * The receipt contact: the one the contract gave last (its latest card payment), else its e-mail, else its first phone
 * (as YooKassa wants it, 79…; `asStored` keeps +7… for a form to show). The pay page asks without the last payment.
 */
export async function receiptContactOf(db: AppContext['db'], contractId: number, opts: { lastPayment?: boolean; asStored?: boolean } = {}): Promise<string | null> {
  if (opts.lastPayment !== false) {
    const last = await db('payments').where({ contract_id: contractId }).whereNotNull('receipt_contact').orderBy('id', 'desc').first<{ receipt_contact: string } | undefined>('receipt_contact');
    if (last) return last.receipt_contact;
  }
  const c = await db('contracts').where({ id: contractId }).first<{ email: string | null } | undefined>('email');
  if (c?.email) return c.email;
  const phone = await db('contract_phones').where({ contract_id: contractId }).orderBy('id').first<{ phone: string } | undefined>('phone');
  if (!phone) return null;
  return opts.asStored ? phone.phone : phone.phone.replace(/^\+/, '');
}

export function createOnlinePayments(ctx: AppContext, gateway: Gateway = createGateway(ctx)) {
  const cfg = ctx.config.payments;
  const tz = ctx.config.timeZone;
  const byId = (db: AppContext['db'] | Trx, id: number) => db('payments').where({ id }).first<OnlinePaymentRow | undefined>();

  /** The create request, rebuilt from the row alone: reconciliation sends the very same body with the same key. */
  function createRequest(row: OnlinePaymentRow, contractNumber: string) {
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

  /** Records the gateway's id on our row (the first answer wins; the pair is unique). */
  async function attach(row: OnlinePaymentRow, gp: GatewayPayment) {
    await ctx.db('payments').where({ id: row.id }).whereNull('gateway_payment_id').update({ gateway_payment_id: gp.id, confirmation_url: gp.confirmationUrl });
  }

  /** Moves a pending row to the gateway's final state; the ledger is credited once, keyed by the gateway's id. */
  async function apply(rowId: number, gp: GatewayPayment): Promise<SettleResult> {
    const amount = fromValue(gp.amount.value);
    return inTransaction(ctx.db, async (trx) => {
      const row = await byId(trx, rowId);
      if (!row) return 'unknown';
      if (row.status !== 'pending') return 'final';
      if (row.gateway_payment_id && row.gateway_payment_id !== gp.id) return 'unknown';
      const now = ctx.clock.now();
      const at = now.toISOString();
      if (gp.status === 'succeeded') {
        if (amount !== row.amount_kopecks || gp.amount.currency !== 'RUB') {
          await trx('payments').where({ id: row.id }).update({ problem: 'amount_mismatch' });
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
        await trx('payments').where({ id: row.id }).update({
          status: 'succeeded', ledger_entry_id: entryId, gateway_payment_id: gp.id, settled_at: at, card_mask: gp.paymentMethod?.mask ?? row.card_mask, problem: null,
        });
        await notify(ctx, trx, {
          contractId: row.contract_id, topic: 'payments', key: `payment_succeeded:${row.id}`, link: `/cabinet/pay/${row.id}`,
          title: row.method === 'autopay' ? 'Автоплатёж зачислен' : 'Платёж зачислен',
          text: `${formatMoney(row.amount_kopecks)} зачислено на баланс.`,
        });
        await afterSuccess(trx, row, gp, at);
        return 'credited';
      }
      if (gp.status === 'canceled') {
        await trx('payments').where({ id: row.id }).update({ status: 'canceled', gateway_payment_id: gp.id, settled_at: at, problem: gp.cancellation?.reason ?? null });
        return 'canceled';
      }
      return 'pending';
    });
  }

  /** A first payment that saved the card turns autopayment on with the rule and terms the subscriber accepted. */
  async function afterSuccess(trx: Trx, row: OnlinePaymentRow, gp: GatewayPayment, at: string) {
    const consent = await trx('autopay_consents').where({ payment_id: row.id }).first<{ rule: string; amount_kopecks: number | null; threshold_kopecks: number | null; day: number | null; terms_version: string; terms_text: string; accepted_at: string } | undefined>();
    if (!consent || !gp.paymentMethod?.saved) return;
    const settings = {
      status: 'active', rule: consent.rule, amount_kopecks: consent.amount_kopecks, threshold_kopecks: consent.threshold_kopecks, day: consent.day,
      gateway: row.gateway ?? gateway.name, payment_method_id: gp.paymentMethod.id, card_mask: gp.paymentMethod.mask ?? 'Карта',
      terms_version: consent.terms_version, terms_text: consent.terms_text, terms_accepted_at: consent.accepted_at, off_reason: null, updated_at: at,
    };
    await trx('autopay').insert({ contract_id: row.contract_id, created_at: at, ...settings }).onConflict('contract_id').merge(settings);
    await notify(ctx, trx, {
      contractId: row.contract_id, topic: 'payments', key: `autopay_on:${row.id}`, link: '/cabinet/autopay',
      title: 'Автоплатёж включён', text: `Карта ${settings.card_mask} сохранена для автоплатежа.`,
    });
  }

  /** The row a gateway payment belongs to: by the gateway's id, or (an answer that came before we stored it) by its metadata. */
  async function rowFor(gp: GatewayPayment): Promise<OnlinePaymentRow | undefined> {
    const known = await ctx.db('payments').where({ gateway: gateway.name, gateway_payment_id: gp.id }).first<OnlinePaymentRow | undefined>();
    if (known) return known;
    const id = Number(gp.metadata.payment_id);
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const row = await byId(ctx.db, id);
    return row && row.gateway === gateway.name && !row.gateway_payment_id ? row : undefined;
  }

  async function settle(gatewayPaymentId: string): Promise<SettleResult> {
    const gp = await gateway.getPayment(gatewayPaymentId); // the only answer we trust
    if (!gp) return 'unknown';
    const row = await rowFor(gp);
    if (!row) return 'unknown';
    if (row.status !== 'pending') return 'final';
    return apply(row.id, gp);
  }

  /** A pending row that will never be a gateway payment: canceled with the reason, so reconciliation leaves it. */
  async function cancelRow(paymentId: number, problem: string) {
    return ctx.db('payments').where({ id: paymentId, status: 'pending' }).whereNull('gateway_payment_id').update({ status: 'canceled', problem, settled_at: ctx.clock.now().toISOString() });
  }

  /** An autopayment charge whose create never got an answer is made only if autopayment is still on with that card. */
  async function autopayStillWants(row: OnlinePaymentRow) {
    if (!row.autopay_id || !row.payment_method_id) return false;
    const a = await ctx.db('autopay').where({ id: row.autopay_id }).first<{ status: string; payment_method_id: string } | undefined>('status', 'payment_method_id');
    return a?.status === 'active' && a.payment_method_id === row.payment_method_id;
  }

  async function contractNumber(contractId: number) {
    const c = await ctx.db('contracts').where({ id: contractId }).first<{ number: string } | undefined>('number');
    if (!c) throw new Error(`no contract ${contractId}`);
    return c.number;
  }

  return {
    gateway,
    settle,

    /** A pending row first, then the gateway; a gateway that does not answer leaves the row for reconciliation. */
    async start(input: StartInput): Promise<StartResult> {
      const number = await contractNumber(input.contractId);
      const receipt = receiptFor(number, input.amountKopecks, input.contact, cfg.receipt);
      const key = input.key ?? `pay:${crypto.randomUUID()}`;
      const paymentId = await inTransaction(ctx.db, async (trx) => {
        const [{ id }] = await trx('payments').insert({
          contract_id: input.contractId, amount_kopecks: input.amountKopecks, method: input.method ?? 'card', status: 'pending', ledger_entry_id: null,
          idempotency_key: key, created_at: ctx.clock.now().toISOString(), gateway: gateway.name, receipt_contact: input.contact,
          receipt: JSON.stringify(receipt), autopay_id: input.autopayId ?? null,
          save_payment_method: Boolean(input.savePaymentMethod), payment_method_id: input.paymentMethodId ?? null,
        }).returning('id');
        if (input.withRow) await input.withRow(trx, id as number);
        return id as number;
      });
      const row = (await byId(ctx.db, paymentId))!;
      let gp: GatewayPayment;
      try {
        gp = await gateway.createPayment(createRequest(row, number));
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        ctx.logger.warn({ err, payment: paymentId }, 'gateway did not create the payment; reconciliation will ask again with the same Idempotence-Key');
        if (err.kind === 'refused') await cancelRow(paymentId, 'gateway_refused');
        return { kind: 'gateway_down', paymentId, reason: err.kind };
      }
      await attach(row, gp);
      if (gp.status !== 'pending' || !gp.confirmationUrl) return { kind: 'settled', paymentId, result: await apply(paymentId, gp) };
      return { kind: 'redirect', url: gp.confirmationUrl, paymentId };
    },

    /** The return page's check: a pending row of this contract is settled from the gateway's answer. */
    async check(contractId: number, paymentId: number): Promise<OnlinePaymentRow | undefined> {
      const row = await byId(ctx.db, paymentId);
      if (!row || row.contract_id !== contractId) return undefined;
      if (row.status === 'pending' && row.gateway_payment_id) {
        try {
          await settle(row.gateway_payment_id);
        } catch (err) {
          ctx.logger.warn({ err, payment: paymentId }, 'return page could not ask the gateway; the notification or reconciliation will settle it');
        }
        return byId(ctx.db, paymentId);
      }
      return row;
    },

    /**
     * Payments still pending after PAYMENT_RECONCILE_AFTER_MINUTES: ask the gateway. A row the gateway never
     * confirmed creating is created again with the same Idempotence-Key (the gateway answers with the first one).
     */
    async reconcile(limit = 200): Promise<{ checked: number; credited: number; canceled: number; failed: number }> {
      const before = new Date(ctx.clock.now().getTime() - cfg.reconcileAfterMs).toISOString();
      const rows = await ctx.db('payments').where({ status: 'pending', gateway: gateway.name }).where('created_at', '<=', before).whereNull('problem').orderBy('id').limit(limit).select<OnlinePaymentRow[]>('*');
      const r = { checked: 0, credited: 0, canceled: 0, failed: 0 };
      for (const row of rows) {
        r.checked++;
        try {
          let result: SettleResult;
          if (row.gateway_payment_id) {
            result = await settle(row.gateway_payment_id);
          } else if (row.method === 'autopay' && !(await autopayStillWants(row))) {
            // The subscriber turned autopayment off (or changed the card) since: the charge is not made after all.
            await cancelRow(row.id, 'autopay_off');
            result = 'canceled';
          } else {
            const gp = await gateway.createPayment(createRequest(row, await contractNumber(row.contract_id)));
            await attach(row, gp);
            result = await apply(row.id, gp);
          }
          if (result === 'credited') r.credited++;
          if (result === 'canceled') r.canceled++;
        } catch (err) {
          if (err instanceof GatewayError && err.kind === 'refused' && !row.gateway_payment_id) {
            // Refused for good (4xx): as start() does, so the row does not come back in every batch.
            await cancelRow(row.id, 'gateway_refused');
            r.canceled++;
            ctx.logger.warn({ err, payment: row.id }, 'the gateway refused to create the payment on reconciliation: canceled');
            continue;
          }
          r.failed++;
          ctx.logger.warn({ err, payment: row.id }, 'reconciliation could not settle a payment; next run tries again');
        }
      }
      return r;
    },

    /** Staff: a full or partial refund through the gateway; one 'refund' ledger entry per gateway refund. */
    async refund(paymentId: number, amountKopecks?: number): Promise<{ refundId: string; amount: number; created: boolean }> {
      const row = await byId(ctx.db, paymentId);
      if (!row || !row.gateway || !row.gateway_payment_id) throw new Error(`payment ${paymentId} is not a card payment`);
      if (row.gateway !== gateway.name) throw new Error(`payment ${paymentId} went through ${row.gateway}, the configured gateway is ${gateway.name}`);
      if (row.status !== 'succeeded' && row.status !== 'refunded') throw new Error(`payment ${paymentId} is ${row.status}: only a succeeded payment can be refunded`);
      const left = row.amount_kopecks - row.refunded_kopecks;
      const amount = amountKopecks ?? left;
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left) throw new Error(`the refund must be from 0,01 to ${formatMoney(left)} (what is left of the payment)`);
      // The key names what is refunded so far: a re-run after a crash asks the gateway for the same refund.
      const receipt = row.receipt_contact ? receiptFor(await contractNumber(row.contract_id), amount, row.receipt_contact, cfg.receipt) : undefined;
      const gr = await gateway.createRefund({ paymentId: row.gateway_payment_id, amountKopecks: amount, idempotenceKey: `refund:${row.id}:${row.refunded_kopecks}:${amount}`, receipt });
      if (gr.status === 'canceled') throw new Error(`the gateway refused the refund ${gr.id}`);
      return inTransaction(ctx.db, async (trx) => {
        const at = ctx.clock.now().toISOString();
        const earlier = await trx('payment_refunds').where({ payment_id: row.id, gateway_refund_id: gr.id }).first();
        if (earlier) return { refundId: gr.id, amount, created: false };
        const { entryId } = await postEntry(trx, {
          contract_id: row.contract_id, kind: 'refund', amount_kopecks: -amount, description: 'Возврат платежа на карту',
          idempotency_key: `gateway_refund:${row.gateway}:${gr.id}`, occurred_at: at,
        });
        await trx('payment_refunds').insert({ payment_id: row.id, gateway_refund_id: gr.id, amount_kopecks: amount, ledger_entry_id: entryId, created_at: at });
        // Read again inside the transaction: another refund may have been written since the read above.
        await trx('payments').where({ id: row.id }).update({ refunded_kopecks: trx.raw('refunded_kopecks + ?', [amount]) });
        const fresh = (await byId(trx, row.id))!;
        await trx('payments').where({ id: row.id }).update({ status: fresh.refunded_kopecks >= fresh.amount_kopecks ? 'refunded' : 'succeeded' });
        await notify(ctx, trx, { contractId: row.contract_id, topic: 'payments', key: `refund:${gr.id}`, title: 'Возврат платежа', text: `${formatMoney(amount)} возвращено на карту.` });
        return { refundId: gr.id, amount, created: true };
      });
    },
  };
}
export type OnlinePayments = ReturnType<typeof createOnlinePayments>;
