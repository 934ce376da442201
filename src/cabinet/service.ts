// The dashboard: who the contract is, what it pays, what is on the balance and how long that lasts; for a blocked
// contract, what opens it today and whether a promised payment may be taken (the promised feature's own rules).
import { amountToUnblock, lastsUntil, toPayForNextMonth, type Debit } from '../billing/forecast';
import { dailyAmount, isDayCharged, servicesOn } from '../billing/service';
import type { AppContext } from '../context';
import { addDays, dayOf } from '../lib/dates';
import { amountInput } from '../lib/money';
import type { PromisedService } from '../promised/service';
import { NotFound } from '../web/errors';
import { findContractSummary, unreadNotices } from './queries';

/** The dashboard over the promised payment's own rules (the service src/services.ts built). */
export function createCabinetService(ctx: AppContext, { promised }: { promised: PromisedService }) {
  const tz = ctx.config.timeZone;
  return {
    /** The newest unread in-cabinet notices for the dashboard page (not for the balance refresh); shown, not marked read. */
    unreadNotices: (contractId: number) => unreadNotices(ctx.db, contractId),

    async dashboard(contractId: number) {
      const contract = await findContractSummary(ctx.db, contractId);
      if (!contract) throw new NotFound();
      const today = dayOf(ctx.clock.now(), tz);
      const blocked = contract.status === 'blocked';
      const services = Number(contract.services_count) ? await servicesOn(ctx.db, contractId, today) : [];
      // The charge run charges the services' fees as one sum, so the forecast does too.
      const fees = [contract.monthly_fee_kopecks, services.reduce((sum, s) => sum + s.monthly_fee_kopecks, 0)];
      // An open promised payment is taken back on its due day: the forecast and the next month's amount count it.
      // (read with the summary: promised_payments has at most one open row per contract, the promised feature's rule)
      const open = contract.open_promised_amount !== null && contract.open_promised_due_at !== null
        ? { amount_kopecks: contract.open_promised_amount, due_at: contract.open_promised_due_at } : null;
      const debits: Debit[] = open ? [{ day: dayOf(new Date(open.due_at), tz), amount: open.amount_kopecks }] : [];
      const forecast = blocked ? ({ kind: 'exhausted' } as const) : lastsUntil(contract.balance_kopecks, fees, today, debits);
      // Blocked by today's run: today is charged; blocked before: today is charged when a payment unblocks it.
      const todayCharged = !blocked || (await isDayCharged(ctx.db, contractId, today));
      // What opens a blocked contract today: back to the credit limit, and today's charge that unblocking takes.
      const todayCharge = todayCharged ? 0 : await dailyAmount(ctx.db, contractId, today);
      const unblockAmount = amountToUnblock(contract.balance_kopecks, contract.credit_limit_kopecks, todayCharge);
      // the pay form filled in with that amount, by a plain link (no JavaScript needed)
      const unblock = blocked ? { amount: unblockAmount, todayCharge, debt: unblockAmount - todayCharge, payHref: `/cabinet/pay?amount=${encodeURIComponent(amountInput(unblockAmount))}` } : null;
      // Paused: nothing is charged (or the paused daily fee), so neither «Хватит до» nor the next month's amount applies.
      // Blocked: the next month's amount is the fees after today alone; the debt and today are what `unblock` says.
      const toPayNextMonth =
        contract.status === 'paused' ? null
        : blocked ? toPayForNextMonth(0, fees, today, true)
        : toPayForNextMonth(contract.balance_kopecks - debits.reduce((sum, d) => sum + d.amount, 0), fees, today, todayCharged);
      const promisedOffered = !open && (await mayNeedPromised(contract.status, forecast, today)) && (await promised.verdict(contractId)).ok;
      return {
        contract, services, forecast, toPayNextMonth, unblock, promisedOffered, hasUnread: contract.has_unread !== null,
        openPromised: open ? { amount: open.amount_kopecks, dueDay: debits[0].day } : null,
        pausedDailyFee: ctx.config.billing.voluntaryBlock.dailyFeeKopecks, checkedAt: ctx.clock.now(),
      };
    },
  };

  /**
   * Whether the promised payment's rules are worth asking (they cost a few queries, and the balance refreshes every
   * minute): blocked, or active with a balance that may not last the term. The rules themselves decide.
   */
  async function mayNeedPromised(status: string, forecast: ReturnType<typeof lastsUntil>, today: string): Promise<boolean> {
    if (status === 'blocked') return true;
    if (status !== 'active') return false;
    // one day more than the term: before the 00:05 run today is not charged yet, and the forecast assumes it is
    const horizon = addDays(today, ctx.config.billing.promisedPayment.termDays + 1);
    return forecast.kind === 'exhausted' || (forecast.kind === 'until' && forecast.day <= horizon);
  }
}
export type CabinetService = ReturnType<typeof createCabinetService>;
