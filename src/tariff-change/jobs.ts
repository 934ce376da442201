// The scheduled tariff change as a job (see src/jobs): due at 00:01 provider time on the 1st, before that day's
// 00:05 charge run, so the 1st is charged at the new tariff. Days missed while the process was down are charged
// first (at the tariff they had), then the change is applied. Applying is idempotent: a change no longer
// scheduled (applied, or cancelled by the subscriber) is left alone.
import { chargeThrough } from '../billing/jobs';
import type { AppContext } from '../context';
import type { JobHandler } from '../jobs/service';
import { addDays, dayOf } from '../lib/dates';
import { TARIFF_CHANGE_JOB, type TariffChangeService } from './service';

/** The handlers, over the service src/services.ts built. */
export function tariffChangeJobHandlers(ctx: AppContext, service: TariffChangeService): Record<string, JobHandler> {
  return {
    [TARIFF_CHANGE_JOB]: async (payload) => {
      const id = Number(payload.id);
      if (!Number.isSafeInteger(id)) throw new Error(`tariff_change job without a change id: ${JSON.stringify(payload)}`);
      const effective = await service.effectiveDayOf(id);
      const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
      if (effective && effective <= today) await chargeThrough(ctx, addDays(effective, -1));
      const outcome = await service.applyScheduled(id);
      ctx.logger.info({ tariffChange: { id, outcome } }, 'scheduled tariff change');
    },
  };
}
