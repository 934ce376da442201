// «Автоматический платёж»: the subscriber's rule over a card saved by a first payment, and the charges it makes.
// A charge is one row per (contract, period) — "2026-12" for the monthly rule, a provider day for the threshold
// rule — so a rerun, a second process or a restart never charges a period twice (the unique key: the loser's insert
// is ignored). A failed charge is tried again at most AUTOPAY_MAX_RETRIES times with doubling pauses; a card refused
// for good turns autopayment off. Every charge and every failure is told to the subscriber through notify().
// Several processes: a try's payment carries a key naming the charge and attempt (unique: a second start of the same
// try fails and finds the first's row); what follows a try's outcome is decided inside a transaction that reads the
// charge first and locked (forUpdate), and does nothing if another process has moved the charge on.
import type { CabinetService } from '../cabinet/service';
import type { CardPayments } from '../card-payments/service';
import type { StartResult } from '../card-payments/start';
import { clampAmount, PERMANENT_REFUSALS } from '../card-payments/types';
import { receiptContactOf } from '../card-payments/receipt';
import type { AppContext } from '../context';
import { inTransaction, type Trx } from '../db';
import { dayOf, splitDay } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { notify } from '../notifications/notify';
import { t } from '../web/i18n';
import type { AutopayInput } from './forms';
import * as q from './queries';
import type { AutopayRow, ChargeRow } from './queries';
import { TERMS_TEXT, TERMS_VERSION } from './terms';

export type { AutopayRow, ChargeRow } from './queries';

export type SaveResult =
  | { kind: 'changed' }
  | { kind: 'invalid'; field: string; message: 'autopay.accept.required' | 'autopay.accept.change' | 'autopay.amount.tooSmall' | 'autopay.amount.tooLarge' | 'autopay.threshold.tooLarge' | 'autopay.contact.required' }
  | StartResult;

/** A contract is closed (src/admin/contract-close): its card is never charged again. In the closing's transaction. */
export const turnOffOnClosing = (trx: Trx, contractId: number, at: string) => q.turnOffActive(trx, contractId, 'contract_closed', at);

export function createAutopayService(ctx: AppContext, parts: { cardPayments: CardPayments; cabinet: Pick<CabinetService, 'dashboard'> }) {
  const cfg = ctx.config.payments;
  const tz = ctx.config.timeZone;
  const { cardPayments: online, cabinet } = parts;
  const find = (contractId: number) => q.autopayOf(ctx.db, contractId);

  /**
   * What the monthly rule pays: the dashboard's «К оплате за следующий месяц». None (null: a paused contract, a
   * voluntary block) is 0, so the period is skipped rather than charged a full month's fee.
   */
  async function monthlyAmount(contractId: number) {
    const d = await cabinet.dashboard(contractId);
    return d.toPayNextMonth ?? 0;
  }

  const contactOf = (contractId: number) => receiptContactOf(ctx.db, contractId);

  /** The rule in words, as the page shows it («пополнить на 500,00 ₽, когда баланс меньше 100,00 ₽»). */
  const ruleText = (f: { rule: string; amount_kopecks: number | null; threshold_kopecks: number | null; day: number | null }) =>
    f.rule === 'threshold'
      ? t('autopay.rule.thresholdText', { amount: formatMoney(f.amount_kopecks ?? 0), threshold: formatMoney(f.threshold_kopecks ?? 0) })
      : t('autopay.rule.monthlyText', { day: f.day ?? 0 });

  const ruleFields = (input: AutopayInput) =>
    input.rule === 'threshold'
      ? { rule: 'threshold' as const, amount_kopecks: input.amount!, threshold_kopecks: input.threshold! * 100, day: null }
      : { rule: 'monthly' as const, amount_kopecks: null, threshold_kopecks: null, day: input.day! };

  /**
   * What follows a try's outcome, decided on the charge read first and locked: the charge still at this try
   * (`payment_id`) or nothing is done (another process got there first). 'again': a new try is due at once.
   */
  async function afterTry(chargeId: number, autopay: AutopayRow, paymentId: number, outcome: { status: string; problem: string | null }): Promise<'done' | 'again'> {
    const now = ctx.clock.now();
    const at = now.toISOString();
    return inTransaction(ctx.db, async (trx) => {
      const charge = await q.lockCharge(trx, chargeId);
      if (!charge || charge.status !== 'pending' || charge.payment_id !== paymentId) return 'done';
      if (outcome.status === 'succeeded' || outcome.status === 'refunded') {
        await q.updateCharge(trx, charge.id, { status: 'succeeded', updated_at: at });
        return 'done';
      }
      const attempts = charge.attempts + 1;
      const reason = outcome.problem ?? 'declined';
      if (reason === 'autopay_off') {
        // Reconciliation dropped a try meant for a card no longer saved: not a decline; a new try (new key) with the card of now.
        await q.updateCharge(trx, charge.id, { attempts, payment_id: null, next_attempt_at: at, last_error: reason, updated_at: at });
        return 'again';
      }
      if (PERMANENT_REFUSALS.has(reason)) {
        await q.updateCharge(trx, charge.id, { status: 'refused', attempts, last_error: reason, updated_at: at });
        await q.updateRule(trx, autopay.id, { status: 'off', off_reason: 'card_refused', updated_at: at });
        await notify(ctx, trx, {
          contractId: charge.contract_id, topic: 'payments', key: `autopay_refused:${charge.id}`, link: '/cabinet/autopay',
          title: t('notice.autopayRefused.title'), text: t('notice.autopayRefused.text', { card: autopay.card_mask }),
        });
        return 'done';
      }
      const last = attempts > cfg.autopay.maxRetries;
      const next = new Date(now.getTime() + cfg.autopay.retryMs * 2 ** (attempts - 1)).toISOString();
      await q.updateCharge(trx, charge.id, { status: last ? 'failed' : 'pending', attempts, payment_id: null, next_attempt_at: last ? null : next, last_error: reason, updated_at: at });
      await notify(ctx, trx, {
        contractId: charge.contract_id, topic: 'payments', key: `autopay_failed:${charge.id}:${attempts}`, link: '/cabinet/pay',
        title: t('notice.autopayFailed.title'),
        text: t(last ? 'notice.autopayFailed.last' : 'notice.autopayFailed.again', { amount: formatMoney(charge.amount_kopecks), card: autopay.card_mask }),
      });
      return 'done';
    });
  }

  /** Starts the charge's next try (a card payment with the saved card), unless another process has started it. */
  async function startTry(charge: ChargeRow, autopay: AutopayRow): Promise<void> {
    const at = ctx.clock.now().toISOString();
    const key = `autopay:${charge.contract_id}:${charge.period}:${charge.attempts}`;
    // A crash after an earlier try wrote its payment row (but before the charge knew it): link that row, never start again.
    const earlier = await online.paymentIdByKey(key);
    if (earlier) {
      await q.linkChargePayment(ctx.db, charge.id, charge.attempts, earlier, at);
      return;
    }
    const contact = await contactOf(charge.contract_id);
    try {
      await online.start({
        contractId: charge.contract_id, amountKopecks: charge.amount_kopecks, contact: contact ?? '', method: 'autopay',
        paymentMethodId: autopay.payment_method_id, autopayId: autopay.id, key,
        // The charge points at its payment row from the moment the row exists; a charge moved on meanwhile starts nothing.
        withRow: async (trx, paymentId) => {
          if (!(await q.linkChargePayment(trx, charge.id, charge.attempts, paymentId, at))) throw new ChargeMovedOn();
        },
      });
    } catch (err) {
      if (err instanceof ChargeMovedOn) return;
      // The key is unique: another process started this very try first. Its row is the try; nothing more to do here.
      if (isUniqueViolation(err) && (await online.paymentIdByKey(key))) return;
      throw err;
    }
  }

  /** Tries the charge of one period once more if it is due; follows its payment row to the end. */
  async function processCharge(chargeId: number, autopay: AutopayRow): Promise<void> {
    for (let step = 0; step < 4; step++) {
      const charge = await q.chargeById(ctx.db, chargeId);
      if (!charge || charge.status !== 'pending') return;
      if (charge.payment_id) {
        const p = await online.payment(charge.payment_id);
        if (!p || p.status === 'pending') return; // the gateway has not answered: reconciliation settles the payment first
        if ((await afterTry(charge.id, autopay, p.id, p)) === 'done') return;
        continue;
      }
      if (charge.next_attempt_at && charge.next_attempt_at > ctx.clock.now().toISOString()) return;
      await startTry(charge, autopay);
    }
  }

  return {
    terms: { version: TERMS_VERSION, text: TERMS_TEXT },

    async page(contractId: number) {
      const autopay = await find(contractId);
      const charges = await q.recentCharges(ctx.db, contractId, 12);
      return { autopay: autopay ?? null, charges, contact: (await contactOf(contractId)) ?? '' };
    },

    /**
     * One step: with a saved card the rule changes at once; without one, the terms accepted are kept with the first
     * payment, which saves the card; its success turns autopayment on (online.ts afterSuccess).
     */
    async save(contractId: number, input: AutopayInput, opts: { key?: string } = {}): Promise<SaveResult> {
      const at = ctx.clock.now().toISOString();
      const current = await find(contractId);
      if (input.amount !== undefined && input.amount < cfg.minKopecks) return { kind: 'invalid', field: 'amount', message: 'autopay.amount.tooSmall' };
      if (input.amount !== undefined && input.amount > cfg.maxKopecks) return { kind: 'invalid', field: 'amount', message: 'autopay.amount.tooLarge' };
      // the threshold is capped like the amount: a balance «below 999 999 ₽» would charge the card every day
      if (input.threshold !== undefined && input.threshold * 100 > cfg.maxKopecks) return { kind: 'invalid', field: 'threshold', message: 'autopay.threshold.tooLarge' };
      if (current?.status === 'active') {
        // A changed rule is a new permission to charge the card: the terms are accepted again (a new consent row, with
        // no payment) and the subscriber hears of it on every channel (topic 'account': a rule someone else set must
        // not go unnoticed).
        if (input.accept !== '1') return { kind: 'invalid', field: 'accept', message: 'autopay.accept.change' };
        const f = ruleFields(input);
        await inTransaction(ctx.db, async (trx) => {
          await q.updateRule(trx, current.id, { ...f, terms_version: TERMS_VERSION, terms_text: TERMS_TEXT, terms_accepted_at: at, updated_at: at });
          await q.insertConsent(trx, {
            contract_id: contractId, payment_id: null, kind: 'change', rule: f.rule, amount_kopecks: f.amount_kopecks, threshold_kopecks: f.threshold_kopecks, day: f.day,
            terms_version: TERMS_VERSION, terms_text: TERMS_TEXT, accepted_at: at,
          });
          await notify(ctx, trx, {
            contractId, topic: 'account', key: `autopay_changed:${contractId}:${at}`, link: '/cabinet/autopay',
            title: t('notice.autopayChanged.title'), text: t('notice.autopayChanged.text', { card: current.card_mask, rule: ruleText(f) }),
          });
        });
        return { kind: 'changed' };
      }
      if (input.accept !== '1') return { kind: 'invalid', field: 'accept', message: 'autopay.accept.required' };
      if (!input.contact) return { kind: 'invalid', field: 'contact', message: 'autopay.contact.required' };
      const first = input.rule === 'threshold' ? input.amount! : clampAmount(await monthlyAmount(contractId), cfg);
      const f = ruleFields(input);
      // The consent is written with the pending row, before the gateway: a payment settled inside start() finds it.
      return online.start({
        contractId, amountKopecks: first, contact: input.contact, savePaymentMethod: true, key: opts.key,
        withRow: async (trx, paymentId) => {
          await q.insertConsent(trx, {
            contract_id: contractId, payment_id: paymentId, rule: f.rule, amount_kopecks: f.amount_kopecks, threshold_kopecks: f.threshold_kopecks, day: f.day,
            terms_version: TERMS_VERSION, terms_text: TERMS_TEXT, accepted_at: at,
          });
        },
      });
    },

    async turnOff(contractId: number): Promise<boolean> {
      return (await q.turnOffActive(ctx.db, contractId, 'subscriber', ctx.clock.now().toISOString())) > 0;
    },

    /** The scheduler's tick: a charge row for each rule that is due now, then every due charge is tried. */
    async run(): Promise<{ created: number; tried: number }> {
      const now = ctx.clock.now();
      const at = now.toISOString();
      const today = dayOf(now, tz);
      const [, , d] = splitDay(today);
      let created = 0;
      for (const a of await q.activeAutopays(ctx.db)) {
        let period: string | null = null;
        if (a.rule === 'monthly' && a.day !== null && d >= a.day) period = today.slice(0, 7);
        else if (a.rule === 'threshold' && a.threshold_kopecks !== null && a.amount_kopecks) {
          if ((await online.balance(a.contract_id)) < a.threshold_kopecks) period = today;
        }
        if (!period) continue;
        // Checked before the amount: the dashboard is not computed on every tick for a period already charged.
        if (await q.chargeExists(ctx.db, a.contract_id, period)) continue;
        const owed = a.rule === 'monthly' ? await monthlyAmount(a.contract_id) : a.amount_kopecks!;
        const amount = owed > 0 ? clampAmount(owed, cfg) : 0;
        const inserted = await q.insertCharge(ctx.db, {
          contract_id: a.contract_id, period, amount_kopecks: amount, status: amount > 0 ? 'pending' : 'skipped', attempts: 0, next_attempt_at: at, created_at: at, updated_at: at,
        });
        if (inserted) created++; // an insert another process made first is ignored and not counted
      }
      let tried = 0;
      const due = await q.dueCharges(ctx.db);
      for (const charge of due) {
        const a = await find(charge.contract_id);
        if (!a) continue;
        try {
          await processCharge(charge.id, a);
          tried++;
        } catch (err) {
          ctx.logger.error({ err, charge: charge.id }, 'autopayment charge failed; the next tick tries again');
        }
      }
      return { created, tried };
    },
  };
}
export type AutopayService = ReturnType<typeof createAutopayService>;

/** The charge was moved on by another process between the decision and the try: the try is not made. */
class ChargeMovedOn extends Error {}

/** A unique index refused the insert (SQLite: SQLITE_CONSTRAINT_UNIQUE; PostgreSQL: 23505). */
const isUniqueViolation = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};
