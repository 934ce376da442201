// «Закрыть договор»: the closing day against its limits, what the closing will charge and leave (the check page),
// and the closing itself in one transaction: billing's closeContract (status, closing day, the last days' charges),
// the autopayment off, one audit row. Knows nothing of req/res.
import { turnOffOnClosing } from '../../autopay/service';
import { auditStaff, type StaffActor } from '../../audit/service';
import { chargesUntilClosing, closeContract, type ContractStatus } from '../../billing/service';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db';
import { addDays, dayOf, formatDay, type Day } from '../../lib/dates';
import { NotFound } from '../../web/errors';
import type { MessageKey } from '../../web/i18n';
import * as q from './queries';

/** How far ahead a closing may be set: a notice of a month, not a date nobody remembers. */
export const MAX_DAYS_AHEAD = 31;

export type DayProblem = { key: MessageKey; params: Record<string, string> };
export type Outcome = { kind: 'owed' | 'refund' | 'zero'; amount: number };

export const outcomeOf = (balance: number): Outcome =>
  balance < 0 ? { kind: 'owed', amount: -balance } : balance > 0 ? { kind: 'refund', amount: balance } : { kind: 'zero', amount: 0 };

export function createContractCloseService(ctx: AppContext) {
  const tz = ctx.config.timeZone;
  const pausedDailyFeeKopecks = ctx.config.billing.voluntaryBlock.dailyFeeKopecks;
  const today = () => dayOf(ctx.clock.now(), tz);

  async function contract(id: number) {
    const c = await q.findContract(ctx.db, id);
    if (!c) throw new NotFound();
    return c;
  }

  /** Not before today (a day already gone is charged already), not more than MAX_DAYS_AHEAD days ahead. */
  function dayProblem(day: Day): DayProblem | null {
    const t = today();
    if (day < t) return { key: 'adm.close.day.past', params: { today: formatDay(t) } };
    const last = addDays(t, MAX_DAYS_AHEAD);
    if (day > last) return { key: 'adm.close.day.tooFar', params: { last: formatDay(last) } };
    return null;
  }

  return {
    maxDaysAhead: MAX_DAYS_AHEAD,
    today,
    contract,
    dayProblem,

    /** The check page's figures: what is still charged until the closing day, and the balance it leaves. */
    async preview(id: number, day: Day) {
      const c = await contract(id);
      const due = await chargesUntilClosing(ctx.db, id, c.status as ContractStatus, { closedOn: day, today: today(), pausedDailyFeeKopecks });
      const toCharge = due.reduce((s, d) => s + d.amount, 0);
      return { contract: c, toCharge, balanceAfter: c.balance_kopecks - toCharge, outcome: outcomeOf(c.balance_kopecks - toCharge) };
    },

    /** Closes it. 'closed': the outcome it left; 'already': it was closed (by someone else meanwhile). */
    async close(actor: StaffActor, id: number, input: { day: Day; reason: string }): Promise<{ kind: 'closed'; outcome: Outcome } | { kind: 'already' } | { kind: 'invalid'; problem: DayProblem }> {
      const problem = dayProblem(input.day);
      if (problem) return { kind: 'invalid', problem };
      const at = ctx.clock.now().toISOString();
      return inTransaction(ctx.db, async (trx) => {
        const r = await closeContract(trx, id, { closedOn: input.day, today: today(), at, cause: 'contract_closed', reason: input.reason, pausedDailyFeeKopecks });
        if (!r.closed) {
          if (!(await q.findContract(trx, id))) throw new NotFound();
          return { kind: 'already' as const };
        }
        await turnOffOnClosing(trx, id, at);
        const after = (await q.findContract(trx, id))!;
        await auditStaff(ctx, actor, {
          action: 'contract_closed', contractId: id,
          before: { status: r.from, closed_on: null },
          after: { status: 'closed', closed_on: input.day, reason: input.reason, balance_kopecks: after.balance_kopecks },
          detail: { charged_kopecks: r.charged },
        }, trx);
        return { kind: 'closed' as const, outcome: outcomeOf(after.balance_kopecks) };
      });
    },
  };
}
export type ContractCloseService = ReturnType<typeof createContractCloseService>;
