// «Обещанный платёж»: a temporary credit a blocked or nearly empty subscriber takes from the cabinet. Taking it
// and taking it back each happen in one transaction (ledger entry through billing, the row, the expiry job), and
// the rules are checked again inside that transaction, after locking the contract's row (its first read): of two
// requests at once the second waits, then sees the first's promised payment and is refused (or, with the same
// request key, is shown the same one).
import { contractMoney, dailyAmount, isDayCharged, postEntry } from '../billing/service';
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import { enqueueJob } from '../jobs/queries';
import { addDays, dayOf, formatDay } from '../lib/dates';
import { NotFound } from '../web/errors';
import * as q from './queries';
import { amountError, dueAt, maxAmount, promisedOffer, type Offer, type PromisedState, type Refusal } from './rules';

export const PROMISED_EXPIRY_JOB = 'promised_expiry';
const HISTORY_SIZE = 12;

export type TakeResult =
  | { kind: 'taken'; id: number }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'invalid'; error: NonNullable<ReturnType<typeof amountError>>; offer: Offer };

export function createPromisedService(ctx: AppContext) {
  const rules = ctx.config.billing.promisedPayment;
  const tz = ctx.config.timeZone;

  async function loadState(db: Db | Trx, contractId: number, now: Date, lock = false) {
    const contract = await contractMoney(db, contractId, { lock });
    if (!contract) throw new NotFound();
    const today = dayOf(now, tz);
    // "Charged" by the period a charge covers, as billing decides it: today may be covered by any charge, not only the run's.
    const todayCharge = (await isDayCharged(db, contractId, today)) ? 0 : await dailyAmount(db, contractId, today);
    let termCharge = 0;
    for (let i = 1; i <= rules.termDays; i++) termCharge += await dailyAmount(db, contractId, addDays(today, i));
    const latest = await q.findLatest(db, contractId);
    const state: PromisedState = {
      status: contract.status, balance: contract.balance_kopecks, creditLimit: contract.credit_limit_kopecks, tariffFee: contract.tariff_fee,
      todayCharge, termCharge, today,
      open: latest?.status === 'open' ? { amount: latest.amount_kopecks, dueAt: latest.due_at } : null,
      last: latest ? { takenDay: dayOf(new Date(latest.taken_at), tz), repaidLate: Boolean(latest.repaid_late) } : null,
    };
    return { contract, state, verdict: promisedOffer(state, rules) };
  }

  /** What the page shows: the rules with this contract's figures, whether it may take one now, the history. */
  async function page(contractId: number) {
    const now = ctx.clock.now();
    const { contract, verdict } = await loadState(ctx.db, contractId, now);
    return {
      contract, verdict, rules,
      history: await q.listForContract(ctx.db, contractId, HISTORY_SIZE),
      dueAt: dueAt(now, rules.termDays, tz).toISOString(),
      floor: -contract.credit_limit_kopecks,
      largest: maxAmount(contract.tariff_fee, rules.maxPercentOfFee),
    };
  }

  return {
    page,

    /** Whether a promised payment may be taken now: the same rules the page applies, for the dashboard's offer. */
    verdict: async (contractId: number) => (await loadState(ctx.db, contractId, ctx.clock.now())).verdict,

    /** The open promised payment, if any: the dashboard says when it is taken back, and the forecast counts it. */
    open: (contractId: number) => q.findOpen(ctx.db, contractId),

    /** The amount against this contract's limits, before the "check your answers" page. */
    async check(contractId: number, amount: number) {
      const shown = await page(contractId);
      return { ...shown, error: shown.verdict.ok ? amountError(amount, shown.verdict.offer) : null };
    },

    /** Takes the credit: the same request key twice gives the same promised payment, never a second one. */
    async take(contractId: number, amount: number, requestKey: string): Promise<TakeResult> {
      const creditKey = `promised_credit:${contractId}:${requestKey}`;
      return inTransaction(ctx.db, async (trx) => {
        const now = ctx.clock.now();
        const { state, verdict } = await loadState(trx, contractId, now, true); // locks the contract: the first read
        const earlier = await q.findByCreditKey(trx, contractId, creditKey);
        if (earlier) return { kind: 'taken', id: earlier.id };
        if (!verdict.ok) return { kind: 'refused', refusal: verdict.refusal };
        const error = amountError(amount, verdict.offer);
        if (error) return { kind: 'invalid', error, offer: verdict.offer };
        const at = now.toISOString();
        const due = dueAt(now, rules.termDays, tz).toISOString();
        const { entryId } = await postEntry(
          trx,
          { contract_id: contractId, kind: 'promised_credit', amount_kopecks: amount, description: `Обещанный платёж до ${formatDay(dayOf(new Date(due), tz))}`, idempotency_key: creditKey, occurred_at: at },
          { today: state.today, cause: 'promised_payment' },
        );
        const id = await q.insertPromised(trx, { contract_id: contractId, amount_kopecks: amount, taken_at: at, due_at: due, credit_entry_id: entryId });
        await enqueueJob(trx, { kind: PROMISED_EXPIRY_JOB, run_at: due, payload: { id }, idempotency_key: `${PROMISED_EXPIRY_JOB}:${id}`, created_at: at });
        return { kind: 'taken', id };
      });
    },

    /** The confirmation page: one promised payment of this contract, with the balance now. */
    async taken(contractId: number, id: number) {
      const row = await q.findOwn(ctx.db, contractId, id);
      const contract = row && (await contractMoney(ctx.db, contractId));
      if (!row || !contract) throw new NotFound();
      return { promised: row, contract, floor: -contract.credit_limit_kopecks };
    },

    /** At the due time the amount is taken back; below the limit the ledger's blocking rules block the contract. Once. */
    async expire(id: number): Promise<void> {
      await inTransaction(ctx.db, async (trx) => {
        const row = await q.findByIdForUpdate(trx, id); // a second run of the job waits, then finds it repaid
        if (!row || row.status !== 'open') return;
        const now = ctx.clock.now();
        const at = now.toISOString();
        const { entryId } = await postEntry(
          trx,
          { contract_id: row.contract_id, kind: 'promised_repayment', amount_kopecks: -row.amount_kopecks, description: 'Возврат обещанного платежа', idempotency_key: `promised_repayment:${id}`, occurred_at: at },
          { today: dayOf(now, tz), cause: 'promised_expired' },
        );
        const c = await contractMoney(trx, row.contract_id);
        await q.markRepaid(trx, id, { settled_at: at, repayment_entry_id: entryId, repaid_late: !c || c.balance_kopecks < -c.credit_limit_kopecks });
      });
    },
  };
}
export type PromisedService = ReturnType<typeof createPromisedService>;
