// The console's tariffs: create and edit (the fee only at creation), archive, and «Изменение цены»: a new fee from a
// coming provider day, applied by the charge run in the transaction of that day (src/billing/charges.ts), with a
// notice to every contract on the tariff sent by a job (jobs.ts), once per contract. Every change is audited.
import { auditStaff, type StaffActor } from '../../audit/service';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db';
import { enqueueJob } from '../../jobs/queries';
import { addDays, dayOf, type Day } from '../../lib/dates';
import type { FieldErrors } from '../../web/forms';
import * as q from './queries';

export const PRICE_NOTICES_JOB = 'tariff_price_notices';
/** The law expects subscribers to hear of a new price in advance: a date closer than this gets a warning. */
export const PRICE_NOTICE_DAYS = 10;

type Fields = q.TariffFields & { towns: number[] };
export type TariffResult = { ok: true; id: number } | { ok: false; errors: FieldErrors };

const isUniqueViolation = (err: unknown) => ['SQLITE_CONSTRAINT_UNIQUE', '23505'].includes(String((err as { code?: unknown } | null)?.code ?? ''));

export function createTariffsService(ctx: AppContext) {
  const today = (): Day => dayOf(ctx.clock.now(), ctx.config.timeZone);

  async function checkFields(f: Fields, exceptId: number | null): Promise<FieldErrors | null> {
    if (await q.codeTaken(ctx.db, f.code, exceptId)) return { code: 'adm.tariffs.error.codeTaken' };
    const known = new Set((await q.allTowns(ctx.db)).map((t) => t.id));
    if (f.towns.some((id) => !known.has(id))) return { towns: 'adm.tariffs.error.towns' };
    return null;
  }
  const tariffFields = (f: Fields): q.TariffFields => ({
    name: f.name, code: f.code, segment: f.segment, internet_mbps: f.internet_mbps, tv_package: f.tv_package, tv_channels: f.tv_channels, position: f.position,
  });

  return {
    today,
    list: () => q.listTariffs(ctx.db),
    towns: () => q.allTowns(ctx.db),
    async tariff(id: number) {
      const t = await q.tariffById(ctx.db, id);
      return t ? { ...t, towns: await q.tariffTownIds(ctx.db, id) } : undefined;
    },

    async create(actor: StaffActor, f: Fields & { fee: number }): Promise<TariffResult> {
      const errors = await checkFields(f, null);
      if (errors) return { ok: false, errors };
      try {
        const id = await inTransaction(ctx.db, async (trx) => {
          const newId = await q.insertTariff(trx, { ...tariffFields(f), monthly_fee_kopecks: f.fee });
          await q.setTariffTowns(trx, newId, f.towns);
          await auditStaff(ctx, actor, { action: 'tariff_created', after: { tariffId: newId, ...tariffFields(f), fee: f.fee, towns: f.towns } }, trx);
          return newId;
        });
        return { ok: true, id };
      } catch (err) {
        if (isUniqueViolation(err)) return { ok: false, errors: { code: 'adm.tariffs.error.codeTaken' } };
        throw err;
      }
    },

    async update(actor: StaffActor, id: number, f: Fields): Promise<TariffResult | null> {
      const errors = await checkFields(f, id);
      if (errors) return { ok: false, errors };
      try {
        return await inTransaction(ctx.db, async (trx) => {
          const old = await q.tariffForRule(trx, id);
          if (!old) return null;
          const oldTowns = await q.tariffTownIds(trx, id);
          const next = tariffFields(f);
          const before: Record<string, unknown> = {};
          const after: Record<string, unknown> = {};
          for (const k of Object.keys(next) as (keyof q.TariffFields)[]) {
            if (old[k] !== next[k]) [before[k], after[k]] = [old[k], next[k]];
          }
          const towns = [...f.towns].sort((a, b) => a - b);
          if (towns.join(',') !== oldTowns.join(',')) [before.towns, after.towns] = [oldTowns, towns];
          await q.updateTariff(trx, id, next);
          await q.setTariffTowns(trx, id, towns);
          if (Object.keys(after).length) await auditStaff(ctx, actor, { action: 'tariff_updated', before: { tariffId: id, ...before }, after: { tariffId: id, ...after } }, trx);
          return { ok: true, id } as const;
        });
      } catch (err) {
        if (isUniqueViolation(err)) return { ok: false, errors: { code: 'adm.tariffs.error.codeTaken' } };
        throw err;
      }
    },

    /** Archived: not offered for new contracts nor tariff changes (src/site, src/tariff-change); contracts on it keep it. */
    setArchived(actor: StaffActor, id: number, archived: boolean): Promise<boolean> {
      return inTransaction(ctx.db, async (trx) => {
        const t = await q.tariffForRule(trx, id);
        if (!t) return false;
        if (Boolean(t.archived) === archived) return true;
        await q.updateTariff(trx, id, { archived });
        await auditStaff(ctx, actor, { action: 'tariff_archived', before: { tariffId: id, archived: !archived }, after: { tariffId: id, archived } }, trx);
        return true;
      });
    },

    affected: async (tariffId: number) => ({ count: await q.countAffected(ctx.db, tariffId), first: await q.firstAffected(ctx.db, tariffId, 50) }),
    priceChanges: (tariffId: number) => q.priceChangesOf(ctx.db, tariffId),
    /** The first day a new price may start from: tomorrow, in the provider's calendar. */
    firstPriceDay: () => addDays(today(), 1),
    noticeTooLate: (from: Day) => from < addDays(today(), PRICE_NOTICE_DAYS),

    async schedulePrice(actor: StaffActor, tariffId: number, o: { fee: number; from: Day; notice: string }):
      Promise<{ ok: true; id: number } | { ok: false; problem: 'missing' | 'past' | 'pending' | 'same' }> {
      if (o.from < addDays(today(), 1)) return { ok: false, problem: 'past' };
      try {
        return await inTransaction(ctx.db, async (trx) => {
          const t = await q.tariffForRule(trx, tariffId);
          if (!t) return { ok: false, problem: 'missing' } as const;
          if (await q.pendingPriceChange(trx, tariffId)) return { ok: false, problem: 'pending' } as const;
          if (t.monthly_fee_kopecks === o.fee) return { ok: false, problem: 'same' } as const;
          const now = ctx.clock.now().toISOString();
          const id = await q.insertPriceChange(trx, {
            tariff_id: tariffId, fee_kopecks: o.fee, previous_fee_kopecks: t.monthly_fee_kopecks, from_day: o.from, notice_text: o.notice, created_by: actor.staffId, created_at: now,
          });
          await auditStaff(ctx, actor, {
            action: 'tariff_price_change', before: { tariffId, fee: t.monthly_fee_kopecks }, after: { tariffId, fee: o.fee, fromDay: o.from, changeId: id },
          }, trx);
          await enqueueJob(trx, { kind: PRICE_NOTICES_JOB, run_at: now, payload: { id }, idempotency_key: `${PRICE_NOTICES_JOB}:${id}`, created_at: now });
          return { ok: true, id } as const;
        });
      } catch (err) {
        if (isUniqueViolation(err)) return { ok: false, problem: 'pending' }; // another pending change won the race
        throw err;
      }
    },

    /** Cancels a change not applied yet (the charge run's update and this one take turns on the row). */
    cancelPrice(actor: StaffActor, tariffId: number, changeId: number): Promise<'cancelled' | 'missing' | 'applied'> {
      return inTransaction(ctx.db, async (trx) => {
        const c = await q.priceChangeById(trx, changeId);
        if (!c || c.tariff_id !== tariffId) return 'missing';
        const n = await q.cancelPendingChange(trx, changeId, actor.staffId, ctx.clock.now().toISOString());
        if (n === 0) return 'applied';
        await auditStaff(ctx, actor, {
          action: 'tariff_price_change_cancelled', before: { tariffId, changeId, fee: c.fee_kopecks, fromDay: c.from_day }, after: { tariffId, changeId, cancelled: true },
        }, trx);
        return 'cancelled';
      });
    },
  };
}
export type TariffsService = ReturnType<typeof createTariffsService>;
