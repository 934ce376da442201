// The cash desk's rules. A payment and a correction each land in one transaction: the contract's row locked first,
// ONE ledger entry through billing's postEntry (with today, so that money that covers a blocked contract's debt
// unblocks it and takes the day's charge, as any payment does), the row that says who took it, one audit row.
// The form's one-time key is the entry's idempotency key: the same form posted twice finds the first entry and
// answers with the same payment; nothing is written twice. Knows nothing of req/res.
import { auditStaff, type StaffActor } from '../../audit/service';
import { contractMoney, postEntry } from '../../billing/service';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db';
import { addDays, dayOf, startOfDay, type Day } from '../../lib/dates';
import { Forbidden, NotFound } from '../../web/errors';
import { t, type MessageKey } from '../../web/i18n';
import { AREAS } from '../roles';
import type { StaffUser } from '../session';
import { METHODS, type CashMethod } from './forms';
import * as q from './queries';

export const paymentKey = (formKey: string) => `cash_desk:${formKey}`;
export const correctionKey = (formKey: string) => `correction:${formKey}`;
const LEDGER_DESCRIPTION_MAX = 300;

export type PaymentResult = { kind: 'paid'; paymentId: number; created: boolean } | { kind: 'invalid'; field: string; error: MessageKey };

export function createCashDeskService(ctx: AppContext) {
  const tz = ctx.config.timeZone;
  const maxKopecks = ctx.config.payments.maxKopecks;
  const today = () => dayOf(ctx.clock.now(), tz);

  return {
    maxKopecks,
    today,

    /** The contract a typed number names, or undefined. */
    findContract: (number: string) => q.contractByNumber(ctx.db, number),

    /** Takes a payment at the office: one ledger entry, one payments row, one audit row; once per form key. */
    async takePayment(actor: StaffActor, input: { contract: string; amount: number; method: CashMethod; receipt: string; key: string }): Promise<PaymentResult> {
      if (input.amount > maxKopecks) return { kind: 'invalid', field: 'amount', error: 'adm.cash.amount.tooBig' };
      const found = await q.contractByNumber(ctx.db, input.contract);
      if (!found) return { kind: 'invalid', field: 'contract', error: 'adm.cash.contract.notFound' };
      const key = paymentKey(input.key);
      return inTransaction(ctx.db, async (trx) => {
        const now = ctx.clock.now();
        const at = now.toISOString();
        const before = (await contractMoney(trx, found.id, { lock: true }))!;
        const { entryId, created } = await postEntry(
          trx,
          { contract_id: found.id, kind: 'payment', amount_kopecks: input.amount, description: t(`adm.cash.ledger.${input.method}`), idempotency_key: key, occurred_at: at },
          { today: dayOf(now, tz), cause: 'payment' },
        );
        if (!created) {
          // The same form again (a double click, a reload of the POST): the payment the first one made.
          const paymentId = await q.paymentIdByLedgerEntry(trx, entryId);
          if (paymentId === undefined) throw new Error(`ledger entry ${entryId} of a cash desk key has no payment row`);
          return { kind: 'paid' as const, paymentId, created: false };
        }
        const paymentId = await q.insertOfficePayment(trx, {
          contract_id: found.id, amount_kopecks: input.amount, method: input.method, status: 'succeeded', ledger_entry_id: entryId,
          idempotency_key: key, created_at: at, settled_at: at, receipt_number: input.receipt, staff_id: actor.staffId,
        });
        const after = (await contractMoney(trx, found.id))!;
        await auditStaff(ctx, actor, {
          action: 'cash_payment', contractId: found.id,
          before: { balance_kopecks: before.balance_kopecks, status: before.status },
          after: { amount_kopecks: input.amount, method: input.method, receipt_number: input.receipt, payment_id: paymentId, balance_kopecks: after.balance_kopecks, status: after.status },
        }, trx);
        return { kind: 'paid' as const, paymentId, created: true };
      });
    },

    /** «Платёж принят»: an office payment with its contract's balance now. */
    async payment(id: number) {
      const p = await q.officePayment(ctx.db, id, METHODS);
      if (!p) throw new NotFound();
      return p;
    },

    /** A correction: one ledger entry of either sign, kind 'correction', with its reason; once per form key. */
    async correct(actor: StaffActor, input: { contract: string; amount: number; reason: string; key: string }): Promise<{ kind: 'done'; correctionId: number; created: boolean } | { kind: 'invalid'; field: string; error: MessageKey }> {
      const found = await q.contractByNumber(ctx.db, input.contract);
      if (!found) return { kind: 'invalid', field: 'contract', error: 'adm.cash.contract.notFound' };
      const description = t('adm.corr.ledger', { reason: input.reason });
      return inTransaction(ctx.db, async (trx) => {
        const now = ctx.clock.now();
        const at = now.toISOString();
        const before = (await contractMoney(trx, found.id, { lock: true }))!;
        const { entryId, created } = await postEntry(
          trx,
          {
            contract_id: found.id, kind: 'correction', amount_kopecks: input.amount, idempotency_key: correctionKey(input.key), occurred_at: at,
            description: description.length > LEDGER_DESCRIPTION_MAX ? `${description.slice(0, LEDGER_DESCRIPTION_MAX - 1)}…` : description,
          },
          { today: dayOf(now, tz), cause: 'correction' },
        );
        if (!created) {
          const correctionId = await q.correctionIdByLedgerEntry(trx, entryId);
          if (correctionId === undefined) throw new Error(`ledger entry ${entryId} of a correction key has no correction row`);
          return { kind: 'done' as const, correctionId, created: false };
        }
        const after = (await contractMoney(trx, found.id))!;
        const correctionId = await q.insertCorrection(trx, {
          contract_id: found.id, ledger_entry_id: entryId, staff_id: actor.staffId, amount_kopecks: input.amount, reason: input.reason,
          balance_before_kopecks: before.balance_kopecks, balance_after_kopecks: after.balance_kopecks, created_at: at,
        });
        await auditStaff(ctx, actor, {
          action: 'correction', contractId: found.id,
          before: { balance_kopecks: before.balance_kopecks, status: before.status },
          after: { balance_kopecks: after.balance_kopecks, status: after.status, amount_kopecks: input.amount, correction_id: correctionId },
          detail: { reason: input.reason },
        }, trx);
        return { kind: 'done' as const, correctionId, created: true };
      });
    },

    async correction(id: number) {
      const c = await q.correction(ctx.db, id);
      if (!c) throw new NotFound();
      return c;
    },

    /**
     * «Отчёт за смену»: the office payments one staff member took on one provider day, totals by method and in all,
     * and their corrections apart (a correction moves no cash). A cashier sees only their own; an admin anyone's.
     */
    async shift(viewer: StaffUser, query: { day: Day | null; staff: number | null }) {
      const day = query.day ?? today();
      const staffList = viewer.role === 'admin' ? await q.deskStaff(ctx.db, AREAS.cashDesk) : [];
      const staffId = query.staff ?? viewer.id;
      if (staffId !== viewer.id && viewer.role !== 'admin') throw new Forbidden('admin.forbidden');
      const member = staffId === viewer.id ? { id: viewer.id, name: viewer.name } : staffList.find((s) => s.id === staffId);
      if (!member) return { kind: 'invalid' as const, day, staffList };
      const fromIso = startOfDay(day, tz).toISOString();
      const toIso = startOfDay(addDays(day, 1), tz).toISOString();
      const payments = await q.shiftPayments(ctx.db, member.id, METHODS, fromIso, toIso);
      const corrections = await q.shiftCorrections(ctx.db, member.id, fromIso, toIso);
      const totals = METHODS.map((method) => {
        const rows = payments.filter((p) => p.method === method);
        return { method, count: rows.length, amount: rows.reduce((s, p) => s + p.amount_kopecks, 0) };
      });
      const total = { count: payments.length, amount: totals.reduce((s, x) => s + x.amount, 0) };
      return { kind: 'report' as const, day, member, staffList, payments, totals, total, corrections, madeAt: ctx.clock.now().toISOString() };
    },
  };
}
export type CashDeskService = ReturnType<typeof createCashDeskService>;
