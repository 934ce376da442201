// Card payments: start (a pending row, then the gateway), settle (the one way a gateway payment reaches the ledger),
// reconcile (ask the gateway about what is still pending), refund (staff), and what the pay page shows. Each part is
// a file of its own; this puts them together. Built once, by src/services.ts.
import type { CabinetService } from '../cabinet/service';
import type { AppContext } from '../context';
import type { Gateway } from '../gateway/types';
import { payPage } from './page';
import * as q from './queries';
import { reconciling } from './reconcile';
import { refunding } from './refund';
import { settling } from './settle';
import { starting } from './start';
import type { AutopayHooks, Deps } from './types';

export function createCardPayments(ctx: AppContext, parts: { gateway: Gateway; autopay: AutopayHooks; cabinet: Pick<CabinetService, 'dashboard'> }) {
  const deps: Deps = { ctx, gateway: parts.gateway, autopay: parts.autopay };
  const settle = settling(deps);
  const start = starting(deps, settle);
  return {
    gateway: parts.gateway,
    start: start.start,
    settle: settle.settle,
    check: settle.check,
    reconcile: reconciling(deps, settle, start),
    refund: refunding(deps),
    ...payPage(deps, parts.cabinet),
    /** A payment row (autopayment follows its tries by them). */
    payment: (id: number) => q.paymentById(ctx.db, id),
    /** The id of the payment started with this key, if any. */
    paymentIdByKey: async (key: string) => (await q.paymentIdByKey(ctx.db, key))?.id ?? null,
  };
}
export type CardPayments = ReturnType<typeof createCardPayments>;
