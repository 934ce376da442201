// «Сменить тариф»: the tariffs a contract may take, the check before confirming, and the change itself: at once
// (today recalculated through the ledger) or scheduled for the 1st of next month (a job at 00:01, before the 00:05
// charge run). The rules are checked again inside the transaction that applies a change (the contract's row locked
// first, so two confirms at once make one change), and again when a scheduled change comes due: if they fail then,
// the change is cancelled with its reason.
import { audit, auditStaff, type StaffActor } from '../audit/service';
import { contractMoney, isChargeDayDone, isDayCharged, postEntry, serviceFeesOn, type ContractMoney } from '../billing/service';
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import { enqueueJob } from '../jobs/queries';
import { addDays, addMonths, dayOf, formatDay, startOfDay, type Day } from '../lib/dates';
import { Conflict, NotFound } from '../web/errors';
import type { MessageKey } from '../web/i18n';
import * as q from './queries';
import { planMoney, type MoneyPlan, type When } from './rules';

export const TARIFF_CHANGE_JOB = 'tariff_change';
const JOB_MINUTE = 1; // 00:01 provider time: before the 00:05 charge run of the same day

export type Problem = { field: 'status' | 'tariff' | 'when'; key: MessageKey; params?: Record<string, string | number> };
export type Choice = { tariffId: number; when: When };
/** The contract as a change sees it: its money and status (billing's reader) and its tariff's details. */
export type ChangeContract = Omit<ContractMoney, 'tariff_fee'> & q.ContractDetails & { fee: number };
export type Checked = { ok: true; tariff: q.TariffRow; when: When; start: Day; plan: MoneyPlan } | { ok: false; problem: Problem };

const isArchived = (t: q.TariffRow) => Boolean(t.archived); // 0/1 on SQLite, a boolean on PostgreSQL

export function createTariffChangeService(ctx: AppContext) {
  const tz = ctx.config.timeZone;
  const today = () => dayOf(ctx.clock.now(), tz);

  /** `lock`: in a transaction that decides, as its first read of the contract (forUpdate, see billing's contractMoney). */
  async function loadContract(db: Db | Trx, contractId: number, lock = false): Promise<ChangeContract> {
    const money = await contractMoney(db, contractId, { lock });
    const details = money && (await q.findContractDetails(db, contractId));
    if (!money || !details) throw new NotFound();
    const { tariff_fee: fee, ...rest } = money;
    return { ...rest, ...details, fee };
  }

  /** Why this contract cannot change its tariff at all right now, or null. */
  async function refusal(db: Db | Trx, c: ChangeContract, ignoreScheduled = false): Promise<Problem | null> {
    if (c.status === 'closed') return { field: 'status', key: 'tariffChange.refuse.closed' };
    if (c.status === 'blocked') return { field: 'status', key: 'tariffChange.refuse.blocked' };
    if (c.status === 'paused') return { field: 'status', key: 'tariffChange.refuse.paused' };
    const scheduled = ignoreScheduled ? undefined : await q.findScheduled(db, c.id);
    if (scheduled) return { field: 'status', key: 'tariffChange.refuse.scheduled', params: { date: formatDay(scheduled.effective_day) } };
    return null;
  }

  /** Every rule for one tariff from one day; `ignoreScheduled` when the scheduled change itself comes due. */
  async function evaluate(db: Db | Trx, c: ChangeContract, tariffId: number, start: Day, day: Day, ignoreScheduled = false): Promise<Checked> {
    const refused = await refusal(db, c, ignoreScheduled);
    if (refused) return { ok: false, problem: refused };
    const tariff = await q.findTariff(db, tariffId, c.town_id);
    const bad = (key: MessageKey): Checked => ({ ok: false, problem: { field: 'tariff', key } });
    if (!tariff) return bad('tariffChange.tariff.notFound');
    if (tariff.id === c.tariff_id) return bad('tariffChange.tariff.current');
    if (isArchived(tariff)) return bad('tariffChange.tariff.archived');
    if (!tariff.in_town) return bad('tariffChange.tariff.otherTown');
    if (tariff.segment !== c.segment) return bad('tariffChange.tariff.otherSegment');
    const when: When = start > day ? 'next_month' : 'today';
    // A voluntary block today may have charged its own daily fee under today's key: nothing of the tariff to return.
    if (start <= day && (await q.wasPausedSince(db, c.id, startOfDay(start, tz).toISOString()))) {
      return { ok: false, problem: { field: 'when', key: 'tariffChange.when.pausedToday' } };
    }
    const chargedDays: Day[] = [];
    for (let d = start; d <= day; d = addDays(d, 1)) if (await isDayCharged(db, c.id, d)) chargedDays.push(d);
    const services = await serviceFeesOn(db, c.id, day);
    const plan = planMoney({
      balance: c.balance_kopecks, oldFee: c.fee, newFee: tariff.monthly_fee_kopecks, servicesFee: services.reduce((s, f) => s + f, 0),
      today: day, start, chargedDays, todayCharged: await isDayCharged(db, c.id, day), runDone: await isChargeDayDone(db, day),
    });
    // A scheduled change that comes due is not refused for money: it was allowed when the balance lasted through the
    // month, and from the 1st the run charges (and, when empty, blocks) at the new tariff as it would at the old one.
    if (!plan.covers && !ignoreScheduled) {
      const key = when === 'today' ? 'tariffChange.balance.short' : 'tariffChange.balance.shortMonth';
      return { ok: false, problem: { field: 'tariff', key, params: { need: plan.need, have: plan.have, short: plan.short } } };
    }
    return { ok: true, tariff, when, start, plan };
  }

  const startOf = (when: When, day: Day) => (when === 'today' ? day : addMonths(day, 1));

  /** Switches the contract to the new tariff and recalculates the days already charged, in the caller's transaction. */
  async function apply(trx: Trx, c: ChangeContract, changeId: number, checked: Extract<Checked, { ok: true }>, at: string) {
    await q.setContractTariff(trx, c.id, checked.tariff.id, at);
    for (const k of checked.plan.corrections) {
      const day = formatDay(k.day);
      await postEntry(trx, {
        contract_id: c.id, kind: 'correction', amount_kopecks: k.returned, period_from: k.day, period_to: k.day, occurred_at: at,
        description: `Перерасчёт за ${day}: возврат платы по тарифу «${c.tariff_name}»`, idempotency_key: `tariff_change:${changeId}:return:${k.day}`,
      });
      await postEntry(trx, {
        contract_id: c.id, kind: 'charge', amount_kopecks: -k.charged, period_from: k.day, period_to: k.day, occurred_at: at,
        description: `Абонентская плата за ${day} по тарифу «${checked.tariff.name}»`, idempotency_key: `tariff_change:${changeId}:charge:${k.day}`,
      });
    }
  }

  return {
    /** What the page shows: the current tariff, the offers with the difference in fee, a scheduled change, why not. */
    async page(contractId: number) {
      const contract = await loadContract(ctx.db, contractId);
      const offers = (await q.listOffered(ctx.db, contract)).map((t) => ({ ...t, diff: t.monthly_fee_kopecks - contract.fee }));
      const latest = await q.findLatest(ctx.db, contractId);
      const cancelledByRules = latest?.status === 'cancelled' && latest.cancel_reason !== 'subscriber' ? latest : null;
      const day = today();
      return { contract, offers, scheduled: await q.findScheduled(ctx.db, contractId), cancelledByRules, refusal: await refusal(ctx.db, contract), today: day, nextMonth: addMonths(day, 1) };
    },

    /** The choice against every rule, for the "check your answers" page. */
    async check(contractId: number, choice: Choice): Promise<Checked> {
      const contract = await loadContract(ctx.db, contractId);
      const day = today();
      return evaluate(ctx.db, contract, choice.tariffId, startOf(choice.when, day), day);
    },

    /**
     * Applies or schedules the change; the same request key twice gives the same change, never a second one.
     * `staff`: a staff member moves the contract (the console): the same rules, audited as theirs.
     */
    async confirm(contractId: number, choice: Choice, requestKey: string, ip: string | null, staff?: StaffActor): Promise<{ ok: true; id: number } | { ok: false; problem: Problem }> {
      return inTransaction(ctx.db, async (trx) => {
        const contract = await loadContract(trx, contractId, true); // locks the contract: the first read
        const earlier = await q.findByRequestKey(trx, contractId, requestKey);
        if (earlier) return { ok: true, id: earlier.id };
        const now = ctx.clock.now();
        const at = now.toISOString();
        const day = dayOf(now, tz);
        const checked = await evaluate(trx, contract, choice.tariffId, startOf(choice.when, day), day);
        if (!checked.ok) return checked;
        const scheduled = checked.when === 'next_month';
        const id = await q.insertChange(trx, {
          contract_id: contractId, from_tariff_id: contract.tariff_id, to_tariff_id: checked.tariff.id, effective_day: checked.start,
          status: scheduled ? 'scheduled' : 'applied', created_at: at, settled_at: scheduled ? null : at, request_key: requestKey,
        });
        if (scheduled) {
          const runAt = new Date(startOfDay(checked.start, tz).getTime() + JOB_MINUTE * 60_000).toISOString();
          await enqueueJob(trx, { kind: TARIFF_CHANGE_JOB, run_at: runAt, payload: { id }, idempotency_key: `tariff_change:${id}`, created_at: at });
        } else {
          await apply(trx, contract, id, checked, at);
        }
        const detail = { change: id, from: contract.tariff_id, to: checked.tariff.id, effective_day: checked.start };
        if (staff) {
          await auditStaff(ctx, staff, {
            action: 'tariff_change_by_staff', contractId, before: { tariff_id: contract.tariff_id },
            after: { tariff_id: checked.tariff.id, effective_day: checked.start }, detail: { ...detail, when: checked.when, status: scheduled ? 'scheduled' : 'applied' },
          }, trx);
        } else {
          await audit({ ...ctx, db: trx }, {
            actor: 'subscriber', actorId: contractId, contractId, ip, action: scheduled ? 'tariff_change_scheduled' : 'tariff_change_applied', detail,
          });
        }
        return { ok: true, id };
      });
    },

    /** One change of this contract, with what it wrote to the ledger. */
    async show(contractId: number, id: number) {
      const change = await q.findChange(ctx.db, contractId, id);
      if (!change) throw new NotFound();
      const entries = await q.entriesOfChange(ctx.db, contractId, id);
      const returned = entries.filter((e) => e.kind === 'correction').reduce((s, e) => s + e.amount_kopecks, 0);
      const charged = -entries.filter((e) => e.kind === 'charge').reduce((s, e) => s + e.amount_kopecks, 0);
      return { change, returned, charged, lastOldDay: addDays(change.effective_day, -1) };
    },

    /** The subscriber cancels a scheduled change before it happens. */
    async cancel(contractId: number, id: number, ip: string | null): Promise<void> {
      await inTransaction(ctx.db, async (trx) => {
        const change = await q.findChange(trx, contractId, id);
        if (!change) throw new NotFound();
        const at = ctx.clock.now().toISOString();
        if (!(await q.settleScheduled(trx, id, { status: 'cancelled', at, reason: 'subscriber' }))) throw new Conflict('tariffChange.cancel.tooLate');
        await audit({ ...ctx, db: trx }, { actor: 'subscriber', actorId: contractId, contractId, ip, action: 'tariff_change_cancelled', detail: { change: id, reason: 'subscriber' } });
      });
    },

    /** The first day of a scheduled change (null when it is not scheduled any more). */
    async effectiveDayOf(id: number): Promise<Day | null> {
      const change = await q.findChangeById(ctx.db, id);
      return change?.status === 'scheduled' ? change.effective_day : null;
    },

    /** The job: applies a scheduled change that has come due, once; if the rules fail now, cancels it with the reason. */
    async applyScheduled(id: number): Promise<'applied' | 'cancelled' | 'nothing'> {
      return inTransaction(ctx.db, async (trx) => {
        await q.lockChange(trx, id); // a second run of the job waits, then finds it settled
        const change = await q.findChangeById(trx, id);
        const now = ctx.clock.now();
        const day = dayOf(now, tz);
        if (!change || change.status !== 'scheduled') return 'nothing';
        if (change.effective_day > day) throw new Error(`tariff change ${id} is not due before ${change.effective_day}`); // retried later
        const at = now.toISOString();
        const contract = await loadContract(trx, change.contract_id, true);
        const checked: Checked =
          contract.tariff_id === change.from_tariff_id
            ? await evaluate(trx, contract, change.to_tariff_id, change.effective_day, day, true)
            : { ok: false, problem: { field: 'tariff', key: 'tariffChange.reason.tariff_changed' } };
        const reason = checked.ok ? null : reasonOf(checked.problem);
        await q.settleScheduled(trx, id, reason ? { status: 'cancelled', at, reason } : { status: 'applied', at });
        if (checked.ok) await apply(trx, contract, id, checked, at);
        await audit({ ...ctx, db: trx }, {
          actor: 'system', contractId: contract.id, action: checked.ok ? 'tariff_change_applied' : 'tariff_change_cancelled',
          detail: { change: id, from: change.from_tariff_id, to: change.to_tariff_id, effective_day: change.effective_day, ...(reason ? { reason } : {}) },
        });
        return checked.ok ? 'applied' : 'cancelled';
      });
    },
  };
}

/** The reason stored on a scheduled change that the rules cancelled (shown to the subscriber as reason.<it>). */
function reasonOf(p: Problem): string {
  const byKey: Partial<Record<MessageKey, string>> = {
    'tariffChange.refuse.blocked': 'blocked',
    'tariffChange.refuse.paused': 'paused',
    'tariffChange.refuse.closed': 'closed',
    'tariffChange.when.pausedToday': 'paused',
    'tariffChange.balance.short': 'balance',
    'tariffChange.balance.shortMonth': 'balance',
    'tariffChange.reason.tariff_changed': 'tariff_changed',
  };
  return byKey[p.key] ?? 'tariff_unavailable';
}

export type TariffChangeService = ReturnType<typeof createTariffChangeService>;
