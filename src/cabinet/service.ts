// The dashboard: who the contract is, what it pays, what is on the balance and how long that lasts.
import { lastsUntil, toPayForNextMonth } from '../billing/forecast';
import type { AppContext } from '../context';
import { dayOf } from '../lib/dates';
import { NotFound } from '../web/errors';
import { findContractSummary, isDayCharged, servicesOn, unreadNotices } from './queries';

export function createCabinetService(ctx: AppContext) {
  return {
    /** The newest unread in-cabinet notices for the dashboard page (not for the balance refresh); shown, not marked read. */
    unreadNotices: (contractId: number) => unreadNotices(ctx.db, contractId),

    async dashboard(contractId: number) {
      const contract = await findContractSummary(ctx.db, contractId);
      if (!contract) throw new NotFound();
      const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
      const services = contract.services_count ? await servicesOn(ctx.db, contractId, today) : [];
      // The charge run charges the services' fees as one sum, so the forecast does too.
      const fees = [contract.monthly_fee_kopecks, services.reduce((sum, s) => sum + s.monthly_fee_kopecks, 0)];
      const forecast = contract.status === 'blocked' ? ({ kind: 'exhausted' } as const) : lastsUntil(contract.balance_kopecks, fees, today);
      // Blocked by today's run: today is charged; blocked before: today is charged when a payment unblocks it.
      const todayCharged = contract.status !== 'blocked' || (await isDayCharged(ctx.db, contractId, today));
      // Paused: nothing is charged (or the paused daily fee), so neither «Хватит до» nor the next month's amount applies.
      const toPayNextMonth = contract.status === 'paused' ? null : toPayForNextMonth(contract.balance_kopecks, fees, today, todayCharged);
      return { contract, services, forecast, toPayNextMonth, pausedDailyFee: ctx.config.billing.voluntaryBlock.dailyFeeKopecks, checkedAt: ctx.clock.now() };
    },
  };
}
export type CabinetService = ReturnType<typeof createCabinetService>;
