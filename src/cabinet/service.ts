// The dashboard: who the contract is, what it pays, what is on the balance and how long that lasts.
import { lastsUntil } from '../billing/forecast';
import type { AppContext } from '../context';
import { dayOf } from '../lib/dates';
import { NotFound } from '../web/errors';
import { findContractSummary } from './queries';

export function createCabinetService(ctx: AppContext) {
  return {
    async dashboard(contractId: number) {
      const contract = await findContractSummary(ctx.db, contractId);
      if (!contract) throw new NotFound();
      const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
      const forecast = contract.status === 'blocked' ? ({ kind: 'exhausted' } as const) : lastsUntil(contract.balance_kopecks, contract.monthly_fee_kopecks, today);
      return { contract, forecast, checkedAt: ctx.clock.now() };
    },
  };
}
export type CabinetService = ReturnType<typeof createCabinetService>;
