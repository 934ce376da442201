// Property-based tests of the billing engine (fast-check). Random sequences of operations run over several contracts
// on a fresh in-memory database with a clock that only moves forward; after every step the database is held against
// a small model of the rules and against invariants that need no model.
//
// Operations covered (one fast-check command each, in COMMANDS):
//   pay        a payment of a random amount through postEntry with { today } (sometimes the same idempotency key again)
//   correct    a staff correction of either sign through postEntry
//   advance    the clock moves 0..40 days. While the process is up, the scheduler ticks at every instant something is
//              due (00:01 jobs, the 00:05 charge_day job, a promised payment's due time) and once a minute after the
//              step began: each tick is the real one (scheduleBillingDay, then jobs.runDue with the handlers of
//              billing, promised, voluntary-block and tariff-change), once or twice at the same time (two processes).
//              Or the process is down ('none'): nothing runs, and the next tick catches up in the jobs table's order
//              (run_at, id), exactly as the model's own job queue does.
//   rerun      a day already charged is run again with runChargeDay
//   sign       a new contract is signed on the way, on one of the catalogue's tariffs (an archived one too)
//   pause / resume  the engine's raw side of a voluntary block (pauseContract, resumeAfterPause)
//   promised   «Обещанный платёж» through src/promised/service.ts take(): the model decides the refusal (paused, open,
//              repaid late, 30-day interval, no fee, not needed, debt) or the range of amounts; amounts inside, above
//              and below the range, and the same request key again (the same promised payment). Its expiry is the
//              promised_expiry job at due_at: repaid from the balance, blocked below the limit, repaid_late then.
//   tariff     «Сменить тариф» through src/tariff-change/service.ts confirm(), "from today" or "from the 1st of next
//              month", to any tariff of the catalogue (same town and segment, current, archived, house segment, other
//              town, not existing); the model decides each refusal (its message key) and the balance rule; the same
//              request key again gives the same change. The scheduled one is applied (or cancelled with its reason)
//              by the tariff_change job at 00:01 on the 1st; cancelChange cancels it (or is too late).
//   block      «Добровольная блокировка» through src/voluntary-block/service.ts: create (dates in the past, today,
//              later, too short, too long, over the yearly limit, while blocked or while one exists, the same key
//              again), endEarly, cancel; its start and end jobs at 00:01.
// Where a service refuses, the model predicts the refusal and the database must be the same as before, row for row.
//
// The invariants, after every step:
//   * balance = ledger: the cached balance of every contract is the sum of its ledger, and equals the model's.
//   * "no contract charged twice for a day" is, with tariff changes, about the NET cost of a day. For a contract and a
//     day d, take the entries with period_from = d that are either kind 'charge' (the run's, an unblocking's, a
//     return from a block's, or a tariff change's `tariff_change:<id>:charge:d`) or the tariff change's return,
//     kind 'correction' with key `tariff_change:<id>:return:d`. Then (count of charges) − (count of returns) is
//     exactly 1, and their net cost is exactly one day's share at the rate in force: the share of the tariff under
//     which the day was last charged or recalculated (see below) plus the share of the services, or the paused daily
//     fee for a day charged while paused. Staff corrections are not part of it. The model says which days are charged
//     and at which tariff; the database must charge exactly those days at exactly those amounts.
//   * no charge while blocked or paused: a day whose run found the contract blocked (or paused, without a paused fee)
//     has no charge, unless money later that day unblocked it or the block ended (charging resumes that day).
//   * a full month on ONE tariff: a calendar month every day of which was charged at the same tariff's rate costs
//     exactly that tariff's fee plus the services' fees. A month with a tariff change inside it is not such a month.
//   * the statuses, their recorded changes, the days in charge_days and the pending jobs (kind, run_at) match the model.
// "The tariff in force" for a day: the tariff at the moment the day was charged, or the new tariff if a change "from
// today" (or a scheduled change applied late) recalculated that day afterwards. A day whose share was 0 (a fee
// smaller than the days of the month) has no charge entry, so a later change that day does not recalculate it.
import * as fc from 'fast-check';
import pino from 'pino';
import { billingJobHandlers, scheduleBillingDay } from '../../src/billing/jobs';
import { runChargeDay } from '../../src/billing/charges';
import type { ContractStatus } from '../../src/billing/queries';
import { checkBalance, pauseContract, postEntry, resumeAfterPause, type LedgerKind } from '../../src/billing/service';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { openTestDb } from '../support/engine';
import { createJobs, type Jobs } from '../../src/jobs/service';
import { addDays, addMonths, daysInMonth, dayOf, splitDay, startOfDay, type Day } from '../../src/lib/dates';
import { promisedJobHandlers } from '../../src/promised/jobs';
import { createPromisedService, type PromisedService } from '../../src/promised/service';
import { tariffChangeJobHandlers } from '../../src/tariff-change/jobs';
import { createTariffChangeService, type TariffChangeService } from '../../src/tariff-change/service';
import { voluntaryBlockJobHandlers } from '../../src/voluntary-block/jobs';
import { createVoluntaryBlockService, type VoluntaryBlockService } from '../../src/voluntary-block/service';

// A fixed seed keeps CI repeatable (and the "every path was reached" check below true); set FC_SEED to explore others.
const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;
// A small budget by default keeps `npm test` quick on a busy machine; FC_RUNS=500 (say) runs the deep search.
const FC_RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 0;
const runs = (byDefault: number) => FC_RUNS || byDefault;
import { makeContract, makeTariff, makeTown } from '../support/factories';

// Generous and explicit: a loaded 2-core machine runs this several times slower than an idle one.
jest.setTimeout(Math.max(300_000, (FC_RUNS || 0) * 5_000));

const TZ = 'Asia/Novokuznetsk';
const MINUTE = 60_000;
const MAX_CONTRACTS = 6;
const PROMISED = { termDays: 3, intervalDays: 30, minAmount: 100 }; // config defaults, and the 1 ₽ minimum
const VB = { minDays: 7, maxDays: 90, daysPerYear: 90, maxAhead: 365 };

// ---------------------------------------------------------------------------------------------------------------
// The catalogue of tariffs: several of the contracts' town and segment (one archived), one of another segment, one
// of another town, and an id that does not exist.

type CatalogSpec = { flat: number[]; archived: number; house: number; otherTown: number };
type MTariff = { id: number; fee: number; archived: boolean; segment: string; inTown: boolean };

// ---------------------------------------------------------------------------------------------------------------
// The real side: a database, a clock, the engine and the services, and the jobs as the scheduler runs them.

type Real = {
  ctx: AppContext; close: () => Promise<void>; clock: ManualClock; jobs: Jobs; townId: number;
  promised: PromisedService; tariffs: TariffChangeService; blocks: VoluntaryBlockService;
};

async function openReal(start: number, pausedFee: number): Promise<Real> {
  const config = loadConfig({
    NODE_ENV: 'test', DATABASE_FILE: ':memory:', BCRYPT_COST: '4', LOG_LEVEL: 'silent', VOLUNTARY_BLOCK_DAILY_FEE_KOPECKS: String(pausedFee),
  });
  const { db, close } = await openTestDb();
  const clock = new ManualClock(new Date(start));
  const ctx: AppContext = { config, db, clock, logger: pino({ level: 'silent' }) };
  const jobs = createJobs(ctx, { ...billingJobHandlers(ctx), ...promisedJobHandlers(createPromisedService(ctx)), ...voluntaryBlockJobHandlers(createVoluntaryBlockService(ctx)), ...tariffChangeJobHandlers(ctx, createTariffChangeService(ctx)) });
  const town = await makeTown(ctx);
  return { ctx, close, clock, jobs, townId: town.id, promised: createPromisedService(ctx), tariffs: createTariffChangeService(ctx), blocks: createVoluntaryBlockService(ctx) };
}

async function makeCatalog(r: Real, spec: CatalogSpec): Promise<MTariff[]> {
  const tariffs: MTariff[] = [];
  const add = async (fee: number, o: { archived?: boolean; segment?: string; inTown?: boolean }) => {
    const townIds = o.inTown === false ? [(await makeTown(r.ctx)).id] : [r.townId];
    const t = await makeTariff(r.ctx, { fee, archived: o.archived ?? false, segment: o.segment ?? 'flat', townIds });
    tariffs.push({ id: t.id, fee, archived: o.archived ?? false, segment: o.segment ?? 'flat', inTown: o.inTown ?? true });
  };
  for (const fee of spec.flat) await add(fee, {});
  await add(spec.archived, { archived: true });
  await add(spec.house, { segment: 'house' });
  await add(spec.otherTown, { inTown: false });
  return tariffs;
}

function post(r: Real, e: { contractId: number; kind: LedgerKind; amount: number; key: string; today: Day; cause?: string }) {
  return r.ctx.db.transaction((trx) =>
    postEntry(
      trx,
      { contract_id: e.contractId, kind: e.kind, amount_kopecks: e.amount, description: e.kind, idempotency_key: e.key, occurred_at: r.clock.now().toISOString() },
      { today: e.today, cause: e.cause },
    ),
  );
}

/** Everything a refused request could have written. */
async function snapshot(r: Real) {
  const db = r.ctx.db;
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first<{ n: number }>())?.n ?? 0);
  const tables = ['ledger_entries', 'contract_status_changes', 'promised_payments', 'tariff_changes', 'voluntary_blocks', 'jobs', 'audit_log'];
  return {
    counts: await Promise.all(tables.map(count)),
    contracts: await db('contracts').orderBy('id').select('id', 'status', 'balance_kopecks', 'tariff_id'),
    changes: await db('tariff_changes').orderBy('id').select('id', 'status'),
    blocks: await db('voluntary_blocks').orderBy('id').select('id', 'status'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The model: what the rules say each operation does.

type ContractSpec = { tariff: number; services: number[]; creditLimit: number; firstPayment: number };

type MPromised = { id: number; amount: number; takenDay: Day; open: boolean; repaidLate: boolean; requestKey: string };
type MChange = { id: number; to: number; effective: Day; status: 'scheduled' | 'applied' | 'cancelled'; requestKey: string };
type MBlock = { id: number; from: Day; to: Day; status: 'scheduled' | 'active' | 'finished' | 'cancelled'; endedAt: number | null; requestKey: string };

type MContract = {
  id: number;
  createdAt: number;
  creditLimit: number;
  servicesFee: number;
  services: number[];
  tariff: number; // index into the catalogue
  fee: number;
  balance: number;
  status: ContractStatus;
  net: Map<Day, number>; // day -> what it costs: charges less tariff-change returns (positive)
  charges: Map<Day, number>; // day -> count of kind 'charge' entries
  returns: Map<Day, number>; // day -> count of tariff-change returns
  rate: Map<Day, number>; // day -> the tariff fee it was charged at (a zero share counts: it is what the day costs)
  statusChanges: number;
  paymentKeys: string[];
  pauseEvents: number[]; // instants of status changes to or from paused
  promised: MPromised[];
  changes: MChange[];
  blocks: MBlock[];
};

type JobKind = 'charge_day' | 'promised_expiry' | 'tariff_change' | 'voluntary_block_start' | 'voluntary_block_end';
type MJob = { kind: JobKind; at: number; seq: number; key: string; day: Day; ref: number; contract: MContract | null };

type Model = {
  now: number; firstRun: Day | null; lastRun: Day | null; contracts: MContract[]; keys: Set<string>; pausedFee: number; seq: number;
  tariffs: MTariff[]; jobs: MJob[]; jobKeys: Set<string>; jobSeq: number;
};

/** How much of the work the generated runs did: a property that never blocks anyone would prove little. */
const seen = {
  blocked: 0, unblocked: 0, chargesOnReturn: 0, caughtUp: 0, doubleRuns: 0, repeatedPayments: 0, pausedCharges: 0, fullMonths: 0, multiServiceMonths: 0,
  promisedTaken: 0, promisedUnblocked: 0, promisedRefused: 0, promisedInvalid: 0, promisedRepaid: 0, promisedRepaidLate: 0, promisedAgain: 0,
  changedToday: 0, changedTodayRecalculated: 0, changeRefusedBalance: 0, changeRefusedTariff: 0, changeRefusedStatus: 0, changeScheduled: 0,
  changeApplied: 0, changeCancelledByRules: 0, changeCancelled: 0, changeAgain: 0, fullMonthsAfterChange: 0,
  blockCreated: 0, blockStartedToday: 0, blockStarted: 0, blockEnded: 0, blockEndedEarly: 0, blockCancelled: 0, blockInvalid: 0, blockRefused: 0,
};

const today = (m: Model): Day => dayOf(new Date(m.now), TZ);
const pick = (m: Readonly<Model>, who: number): MContract => m.contracts[who % m.contracts.length];
const floorOf = (c: MContract) => -c.creditLimit;
const dayStart = (day: Day) => startOfDay(day, TZ).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

/** Day d of a D-day month costs floor(fee·d/D) − floor(fee·(d−1)/D): written here again, not imported. */
function shareOf(fee: number, day: Day): number {
  const [y, m, d] = splitDay(day);
  const dim = daysInMonth(y, m);
  return Math.floor((fee * d) / dim) - Math.floor((fee * (d - 1)) / dim);
}
const dayCost = (c: MContract, day: Day) => shareOf(c.fee, day) + shareOf(c.servicesFee, day);
const chargeKeyOf = (c: MContract, day: Day) => `charge:${c.id}:${day}`;
const bump = (map: Map<Day, number>, day: Day, by: number) => map.set(day, (map.get(day) ?? 0) + by);
const statusOf = (c: MContract): ContractStatus => c.status;
const isCharged = (c: MContract, day: Day) => (c.charges.get(day) ?? 0) > 0;

function changeStatus(m: Model, c: MContract, to: ContractStatus) {
  if (c.status === 'paused' || to === 'paused') c.pauseEvents.push(m.now);
  c.status = to;
  c.statusChanges++;
  if (to === 'blocked') seen.blocked++;
}

/** postEntry: the entry once per key, then the blocking rules (an unblock takes today's charge). */
function modelPost(m: Model, c: MContract, amount: number, key: string, day: Day | undefined): boolean {
  if (m.keys.has(key)) return false;
  m.keys.add(key);
  c.balance += amount;
  if (c.status === 'active' && c.balance < floorOf(c)) changeStatus(m, c, 'blocked');
  else if (c.status === 'blocked' && c.balance >= floorOf(c)) {
    changeStatus(m, c, 'active');
    seen.unblocked++;
    if (day) modelChargeContractDay(m, c, day);
  }
  return true;
}

/** chargeContractDay: today's share, unless the day has a charge already (at the tariff's rate or the paused fee). */
function modelChargeContractDay(m: Model, c: MContract, day: Day): void {
  if (m.keys.has(chargeKeyOf(c, day))) return;
  const amount = dayCost(c, day);
  c.rate.set(day, c.fee);
  if (amount <= 0) return;
  bump(c.net, day, amount);
  bump(c.charges, day, 1);
  seen.chargesOnReturn++;
  modelPost(m, c, -amount, chargeKeyOf(c, day), undefined);
}

/** resumeAfterPause: active again, today's share taken (once), then blocked if the balance is below the limit. */
function modelResume(m: Model, c: MContract): void {
  if (c.status !== 'paused') return;
  changeStatus(m, c, 'active');
  modelChargeContractDay(m, c, today(m));
  if (statusOf(c) === 'active' && c.balance < floorOf(c)) changeStatus(m, c, 'blocked'); // the charge may have blocked it already
}

/** One day of the daily run: the status each contract has at the moment of the run decides. */
function modelRunDay(m: Model, day: Day): void {
  const dayEnd = dayStart(addDays(day, 1));
  for (const c of m.contracts) {
    if (c.createdAt >= dayEnd) continue;
    const paused = c.status === 'paused';
    if (c.status === 'blocked' || (paused && m.pausedFee <= 0)) continue;
    const amount = paused ? m.pausedFee : dayCost(c, day);
    if (amount <= 0) {
      if (!m.keys.has(chargeKeyOf(c, day))) c.rate.set(day, c.fee);
      continue;
    }
    const key = chargeKeyOf(c, day);
    if (m.keys.has(key)) continue;
    m.keys.add(key);
    bump(c.net, day, amount);
    bump(c.charges, day, 1);
    c.balance -= amount;
    if (paused) seen.pausedCharges++;
    else {
      c.rate.set(day, c.fee);
      if (c.balance < floorOf(c)) changeStatus(m, c, 'blocked');
    }
  }
  if (!m.firstRun) m.firstRun = day;
  m.lastRun = day;
}

/** runChargeDaysThrough: every day after the last one run, up to `through` (a fresh database starts at `through`). */
function modelRunThrough(m: Model, through: Day): Day[] {
  const days: Day[] = [];
  for (let day = m.lastRun ? addDays(m.lastRun, 1) : through; day <= through; day = addDays(day, 1)) {
    modelRunDay(m, day);
    days.push(day);
  }
  return days;
}

// --- «Обещанный платёж»: the rules of CONTEXT.md, written again.

type PromisedVerdict = { ok: false; reason: string } | { ok: true; min: number; max: number };

function modelPromisedVerdict(m: Model, c: MContract): PromisedVerdict {
  const day = today(m);
  const last = c.promised.length ? c.promised[c.promised.length - 1] : null;
  if (c.status === 'paused') return { ok: false, reason: 'paused' };
  if (last?.open) return { ok: false, reason: 'open' };
  if (last?.repaidLate) return { ok: false, reason: 'late' };
  if (last && day < addDays(last.takenDay, PROMISED.intervalDays)) return { ok: false, reason: 'interval' };
  const max = c.fee; // 100 % of the tariff's fee, services not included
  if (max < PROMISED.minAmount) return { ok: false, reason: 'noFee' };
  const todayCharge = m.keys.has(chargeKeyOf(c, day)) ? 0 : dayCost(c, day);
  let termCharge = 0;
  for (let i = 1; i <= PROMISED.termDays; i++) termCharge += dayCost(c, addDays(day, i));
  if (c.status === 'active' && c.balance + c.creditLimit >= todayCharge + termCharge) return { ok: false, reason: 'notNeeded' };
  const need = c.status === 'blocked' ? -c.creditLimit - c.balance + todayCharge : 0;
  const min = Math.max(PROMISED.minAmount, need);
  if (min > max) return { ok: false, reason: 'debt' };
  return { ok: true, min, max };
}

/** The same provider wall-clock time termDays later. */
function promisedDueAt(m: Model): number {
  const day = today(m);
  return dayStart(addDays(day, PROMISED.termDays)) + (m.now - dayStart(day));
}

function modelExpire(m: Model, c: MContract, id: number): void {
  const p = c.promised.find((x) => x.id === id);
  if (!p?.open) return;
  modelPost(m, c, -p.amount, `promised_repayment:${id}`, today(m));
  p.open = false;
  p.repaidLate = c.balance < floorOf(c);
  seen.promisedRepaid++;
  if (p.repaidLate) seen.promisedRepaidLate++;
}

// --- «Сменить тариф»: the rules of CONTEXT.md, written again.

type Correction = { day: Day; returned: number; charged: number };
type ChangeVerdict = { ok: false; key: string } | { ok: true; corrections: Correction[] };

function modelChangeVerdict(m: Model, c: MContract, to: number, start: Day, ignoreScheduled: boolean): ChangeVerdict {
  const day = today(m);
  if (c.status === 'blocked') return { ok: false, key: 'tariffChange.refuse.blocked' };
  if (c.status === 'paused') return { ok: false, key: 'tariffChange.refuse.paused' };
  if (!ignoreScheduled && c.changes.some((x) => x.status === 'scheduled')) return { ok: false, key: 'tariffChange.refuse.scheduled' };
  const t = m.tariffs[to] as MTariff | undefined;
  if (!t) return { ok: false, key: 'tariffChange.tariff.notFound' };
  if (to === c.tariff) return { ok: false, key: 'tariffChange.tariff.current' };
  if (t.archived) return { ok: false, key: 'tariffChange.tariff.archived' };
  if (!t.inTown) return { ok: false, key: 'tariffChange.tariff.otherTown' };
  if (t.segment !== 'flat') return { ok: false, key: 'tariffChange.tariff.otherSegment' };
  if (start <= day && c.pauseEvents.some((at) => at >= dayStart(start))) return { ok: false, key: 'tariffChange.when.pausedToday' };
  const need = shareOf(t.fee, start);
  let have: number;
  const corrections: Correction[] = [];
  if (start > day) {
    // lasting through the month's last day at the current tariff and services is enough (to zero included); the scheduled
    // change itself, when it comes due on the 1st, is never refused for money
    if (ignoreScheduled) return { ok: true, corrections };
    have = c.balance;
    for (let d = isCharged(c, day) || m.lastRun === day ? addDays(day, 1) : day; d < start; d = addDays(d, 1)) have -= dayCost(c, d);
    return have >= 0 ? { ok: true, corrections } : { ok: false, key: 'tariffChange.balance.shortMonth' };
  } else {
    for (let d = start; d <= day; d = addDays(d, 1)) if (isCharged(c, d)) corrections.push({ day: d, returned: shareOf(c.fee, d), charged: shareOf(t.fee, d) });
    const after = corrections.reduce((b, k) => b + k.returned - k.charged, c.balance);
    have = isCharged(c, start) ? after + need : c.balance;
  }
  return have >= need || ignoreScheduled ? { ok: true, corrections } : { ok: false, key: 'tariffChange.balance.short' };
}

function modelApplyChange(m: Model, c: MContract, id: number, to: number, corrections: Correction[]): void {
  c.tariff = to;
  c.fee = m.tariffs[to].fee;
  for (const k of corrections) {
    modelPost(m, c, k.returned, `tariff_change:${id}:return:${k.day}`, undefined);
    bump(c.net, k.day, -k.returned);
    bump(c.returns, k.day, 1);
    modelPost(m, c, -k.charged, `tariff_change:${id}:charge:${k.day}`, undefined);
    bump(c.net, k.day, k.charged);
    bump(c.charges, k.day, 1);
    c.rate.set(k.day, c.fee);
  }
}

/** The tariff_change job: catch the days before the 1st up, then apply (rules checked again) or cancel. */
function modelApplyScheduled(m: Model, c: MContract, id: number): void {
  const change = c.changes.find((x) => x.id === id);
  if (change?.status !== 'scheduled') return;
  if (change.effective <= today(m)) {
    const days = modelRunThrough(m, addDays(change.effective, -1));
    if (days.length > 1) seen.caughtUp++;
  }
  const v = modelChangeVerdict(m, c, change.to, change.effective, true);
  if (v.ok) {
    change.status = 'applied';
    modelApplyChange(m, c, id, change.to, v.corrections);
    seen.changeApplied++;
  } else {
    change.status = 'cancelled';
    seen.changeCancelledByRules++;
  }
}

// --- «Добровольная блокировка»: the rules of CONTEXT.md, written again.

function daysInclusive(from: Day, to: Day): number {
  const [y1, m1, d1] = splitDay(from);
  const [y2, m2, d2] = splitDay(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000) + 1;
}

/** The last day a block takes: none when cancelled; ended early, the day before it was ended. */
function lastCountedDay(b: MBlock): Day | null {
  if (b.status === 'cancelled') return null;
  if (b.status !== 'finished' || b.endedAt === null) return b.to;
  const before = addDays(dayOf(new Date(b.endedAt), TZ), -1);
  const last = before < b.to ? before : b.to;
  return last < b.from ? null : last;
}

function daysInYear(from: Day, to: Day, year: number): number {
  const start = from > `${year}-01-01` ? from : `${year}-01-01`;
  const end = to < `${year}-12-31` ? to : `${year}-12-31`;
  return end < start ? 0 : daysInclusive(start, end);
}

type BlockVerdict = { kind: 'refused'; refusal: string } | { kind: 'invalid'; key: string } | { kind: 'created' };

function modelBlockVerdict(m: Model, c: MContract, from: Day, to: Day): BlockVerdict {
  if (c.status === 'blocked') return { kind: 'refused', refusal: 'blocked' };
  if (c.status === 'paused' || c.blocks.some((b) => b.status === 'scheduled' || b.status === 'active')) return { kind: 'refused', refusal: 'exists' };
  const day = today(m);
  if (from < day) return { kind: 'invalid', key: 'vb.from.past' };
  if (from > addDays(day, VB.maxAhead)) return { kind: 'invalid', key: 'vb.from.tooFar' };
  if (to < from) return { kind: 'invalid', key: 'vb.to.beforeFrom' };
  const days = daysInclusive(from, to);
  if (days < VB.minDays) return { kind: 'invalid', key: 'vb.to.tooShort' };
  if (days > VB.maxDays) return { kind: 'invalid', key: 'vb.to.tooLong' };
  for (let year = splitDay(from)[0]; year <= splitDay(to)[0]; year++) {
    const used = c.blocks.reduce((s, b) => {
      const last = lastCountedDay(b);
      return last ? s + daysInYear(b.from, last, year) : s;
    }, 0);
    if (used + daysInYear(from, to, year) > VB.daysPerYear) return { kind: 'invalid', key: 'vb.to.overYear' };
  }
  return { kind: 'created' };
}

/** The start: an active contract is paused; otherwise the block is cancelled. */
function modelBeginBlock(m: Model, c: MContract, b: MBlock): void {
  if (b.status !== 'scheduled') return;
  if (c.status === 'active') {
    changeStatus(m, c, 'paused');
    b.status = 'active';
    seen.blockStarted++;
  } else {
    b.status = 'cancelled';
    b.endedAt = m.now;
  }
}

/** The end (its job, or «Завершить досрочно»): resumeAfterPause, then the block is finished. */
function modelFinishBlock(m: Model, c: MContract, b: MBlock): void {
  modelResume(m, c);
  b.status = 'finished';
  b.endedAt = m.now;
}

// --- The jobs table, as the model sees it: pending jobs run in (run_at, id) order when a tick finds them due.

function modelEnqueue(m: Model, job: Omit<MJob, 'seq'>): void {
  if (m.jobKeys.has(job.key)) return;
  m.jobKeys.add(job.key);
  m.jobs.push({ ...job, seq: ++m.jobSeq });
}

const jobAt = (day: Day) => dayStart(day) + MINUTE; // 00:01

/** One scheduler tick at `at`: the charge_day jobs are put in the table (scheduleBillingDay), then what is due runs. */
function modelTick(m: Model, at: number): void {
  m.now = at;
  const day = today(m);
  // every day not yet charged, up to today, each due at 00:05 of its own day
  for (let d = m.lastRun && m.lastRun < day ? addDays(m.lastRun, 1) : day; d <= day; d = addDays(d, 1)) {
    modelEnqueue(m, { kind: 'charge_day', at: dayStart(d) + 5 * MINUTE, key: `charge_day:${d}`, day: d, ref: 0, contract: null });
  }
  const due = m.jobs.filter((j) => j.at <= at).sort((a, b) => a.at - b.at || a.seq - b.seq);
  m.jobs = m.jobs.filter((j) => j.at > at);
  if (due.filter((j) => j.kind === 'charge_day').length > 1) seen.caughtUp++; // days missed while down, in order
  for (const job of due) {
    const c = job.contract;
    if (job.kind === 'charge_day') modelRunThrough(m, job.day);
    else if (!c) throw new Error(`job ${job.key} without a contract`);
    else if (job.kind === 'promised_expiry') modelExpire(m, c, job.ref);
    else if (job.kind === 'tariff_change') modelApplyScheduled(m, c, job.ref);
    else {
      const b = c.blocks.find((x) => x.id === job.ref);
      if (b && job.kind === 'voluntary_block_start') modelBeginBlock(m, c, b);
      if (b?.status === 'active' && job.kind === 'voluntary_block_end') {
        modelFinishBlock(m, c, b);
        seen.blockEnded++;
      }
    }
  }
}

/** The real tick: what the scheduler does every minute (src/jobs/scheduler.ts), once or by two processes at once. */
async function realTick(r: Real, at: number, twice: boolean): Promise<void> {
  r.clock.set(new Date(at));
  await scheduleBillingDay(r.ctx, r.jobs);
  const results = await Promise.all(twice ? [r.jobs.runDue(), r.jobs.runDue()] : [r.jobs.runDue()]);
  for (const res of results) expect(res.failed).toBe(0);
}

// ---------------------------------------------------------------------------------------------------------------
// After every step: the database against the invariants and the model.

type DayRow = { contract_id: number; period_from: Day; charges: number; returns: number; net: number };

async function checkInvariants(m: Model, r: Real): Promise<void> {
  const db = r.ctx.db;
  // Per contract and day: the charges, the tariff-change returns, and what the day costs net.
  const rows = await db('ledger_entries')
    .where((w) => w.where('kind', 'charge').orWhere((x) => x.where('kind', 'correction').where('idempotency_key', 'like', 'tariff_change:%:return:%')))
    .groupBy('contract_id', 'period_from')
    .select<DayRow[]>(
      'contract_id', 'period_from',
      db.raw(`sum(case when kind = 'charge' then 1 else 0 end) as charges`),
      db.raw(`sum(case when kind = 'correction' then 1 else 0 end) as returns`),
      db.raw('-sum(amount_kopecks) as net'),
    );
  expect(rows.filter((x) => x.charges - x.returns !== 1)).toEqual([]); // no contract charged twice (or returned more) for a day
  expect(await db('charge_days').orderBy('day').pluck('day')).toEqual(daysBetween(m.firstRun, m.lastRun));

  const statuses = new Map((await db('contracts').select<{ id: number; status: string; tariff_id: number }[]>('id', 'status', 'tariff_id')).map((x) => [x.id, x]));
  const changes = await db('contract_status_changes').orderBy('id').select<{ contract_id: number; from_status: string; to_status: string }[]>('contract_id', 'from_status', 'to_status');

  for (const c of m.contracts) {
    const balance = await checkBalance(db, c.id);
    expect(balance.cached).toBe(balance.ledger); // the cached balance is the sum of the ledger
    expect(balance.ledger).toBe(c.balance);

    expect(statuses.get(c.id)).toEqual({ id: c.id, status: c.status, tariff_id: m.tariffs[c.tariff].id });
    if (c.status !== 'paused') expect({ id: c.id, blocked: c.status === 'blocked' }).toEqual({ id: c.id, blocked: c.balance < floorOf(c) });

    // Charged exactly on the days the model says, exactly what it says: never on a day it was blocked (or paused
    // without a fee) at the run; a day at the tariff's rate costs one share of the tariff in force and of the services.
    const own = rows.filter((x) => x.contract_id === c.id);
    const net = new Map(own.map((x) => [x.period_from, Number(x.net)]));
    expect(sortedEntries(net)).toEqual(sortedEntries(c.net));
    expect(sortedEntries(new Map(own.map((x) => [x.period_from, Number(x.charges)])))).toEqual(sortedEntries(c.charges));
    for (const [day, amount] of net) {
      const fee = c.rate.get(day);
      const expected = fee === undefined ? m.pausedFee : shareOf(fee, day) + shareOf(c.servicesFee, day);
      expect({ contract: c.id, day, amount }).toEqual({ contract: c.id, day, amount: expected });
    }

    // A whole calendar month charged at ONE tariff's rate costs exactly its monthly fee plus the services'.
    for (const month of new Set([...c.rate.keys()].map((d) => d.slice(0, 7)))) {
      const days = daysOfMonth(month);
      const fees = new Set(days.map((d) => c.rate.get(d)));
      const fee = c.rate.get(days[0]);
      if (fees.size !== 1 || fee === undefined) continue;
      const total = days.reduce((s, d) => s + (net.get(d) ?? 0), 0);
      expect({ contract: c.id, month, total }).toEqual({ contract: c.id, month, total: fee + c.servicesFee });
    }

    // Every status change is recorded, each starting where the one before ended.
    const ownChanges = changes.filter((ch) => ch.contract_id === c.id);
    expect(ownChanges).toHaveLength(c.statusChanges);
    ownChanges.forEach((ch, i) => expect(ch.from_status).toBe(i === 0 ? 'active' : ownChanges[i - 1].to_status));
    if (ownChanges.length) expect(ownChanges[ownChanges.length - 1].to_status).toBe(c.status);

    // The services' rows say what the model says.
    expect(await db('promised_payments').where({ contract_id: c.id }).orderBy('id').select('id', 'status', 'amount_kopecks')).toEqual(
      c.promised.map((p) => ({ id: p.id, status: p.open ? 'open' : 'repaid', amount_kopecks: p.amount })),
    );
    const late = await db('promised_payments').where({ contract_id: c.id }).orderBy('id').pluck('repaid_late');
    expect(late.map(Boolean)).toEqual(c.promised.map((p) => p.repaidLate));
    expect(await db('tariff_changes').where({ contract_id: c.id }).orderBy('id').select('id', 'status', 'effective_day')).toEqual(
      c.changes.map((x) => ({ id: x.id, status: x.status, effective_day: x.effective })),
    );
    expect(await db('voluntary_blocks').where({ contract_id: c.id }).orderBy('id').select('id', 'status', 'from_day', 'to_day')).toEqual(
      c.blocks.map((b) => ({ id: b.id, status: b.status, from_day: b.from, to_day: b.to })),
    );
  }

  // The jobs still to run: the same kinds at the same instants, in the same order.
  expect(await db('jobs').where({ status: 'pending' }).orderBy('id').select('kind', 'run_at')).toEqual(
    [...m.jobs].sort((a, b) => a.seq - b.seq).map((j) => ({ kind: j.kind, run_at: iso(j.at) })),
  );
  expect(await db('jobs').whereNot({ status: 'pending' }).whereNot({ status: 'done' }).count({ n: '*' }).first()).toEqual({ n: 0 });
}

function daysOfMonth(month: string): Day[] {
  const [y, mo] = splitDay(`${month}-01`);
  return Array.from({ length: daysInMonth(y, mo) }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

function daysBetween(from: Day | null, to: Day | null): Day[] {
  const days: Day[] = [];
  if (from && to) for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
const sortedEntries = (map: Map<Day, number>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));

/** Counted once, when a run ends: months a contract had whole at one tariff's rate. */
function countFullMonths(m: Model): void {
  for (const c of m.contracts) {
    for (const month of new Set([...c.rate.keys()].map((d) => d.slice(0, 7)))) {
      const fees = new Set(daysOfMonth(month).map((d) => c.rate.get(d)));
      if (fees.size !== 1 || fees.has(undefined)) continue;
      seen.fullMonths++;
      if (c.services.length > 1) seen.multiServiceMonths++;
      if (c.changes.some((x) => x.status === 'applied')) seen.fullMonthsAfterChange++;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The commands.

type Command = fc.AsyncCommand<Model, Real>;

async function signContract(m: Model, r: Real, spec: ContractSpec): Promise<MContract> {
  const contractTariffs = m.tariffs.filter((t) => t.segment === 'flat' && t.inTown); // the archived one too: it keeps its subscribers
  const tariff = m.tariffs.indexOf(contractTariffs[spec.tariff % contractTariffs.length]);
  const made = await makeContract(r.ctx, { fee: m.tariffs[tariff].fee });
  await r.ctx.db('contracts').where({ id: made.id }).update({ credit_limit_kopecks: spec.creditLimit, town_id: r.townId, tariff_id: m.tariffs[tariff].id });
  for (const fee of spec.services) {
    const [{ id: serviceId }] = await r.ctx.db('services').insert({ code: `s${made.id}-${++m.seq}`, name: 'Услуга', monthly_fee_kopecks: fee }).returning('id');
    await r.ctx.db('contract_services').insert({ contract_id: made.id, service_id: serviceId, from_day: '2000-01-01', to_day: null });
  }
  const c: MContract = {
    id: made.id, createdAt: m.now, creditLimit: spec.creditLimit, services: spec.services, servicesFee: spec.services.reduce((s, f) => s + f, 0),
    tariff, fee: m.tariffs[tariff].fee, balance: 0, status: 'active', net: new Map(), charges: new Map(), returns: new Map(), rate: new Map(),
    statusChanges: 0, paymentKeys: [], pauseEvents: [], promised: [], changes: [], blocks: [],
  };
  m.contracts.push(c);
  if (spec.firstPayment > 0) {
    const key = `pay:${c.id}:${++m.seq}`;
    await post(r, { contractId: c.id, kind: 'payment', amount: spec.firstPayment, key, today: today(m) });
    modelPost(m, c, spec.firstPayment, key, today(m));
    c.paymentKeys.push(key);
  }
  return c;
}

class Pay implements Command {
  constructor(readonly who: number, readonly amount: number, readonly again: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const repeat = this.again && c.paymentKeys.length > 0;
    const key = repeat ? c.paymentKeys[c.paymentKeys.length - 1] : `pay:${c.id}:${++m.seq}`;
    const res = await post(r, { contractId: c.id, kind: 'payment', amount: this.amount, key, today: today(m) });
    expect(res.created).toBe(!repeat);
    modelPost(m, c, this.amount, key, today(m));
    if (repeat) seen.repeatedPayments++;
    else c.paymentKeys.push(key);
    await checkInvariants(m, r);
  }
  toString = () => `pay(#${this.who}, ${this.amount}${this.again ? ', same key again' : ''})`;
}

class Correct implements Command {
  constructor(readonly who: number, readonly amount: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const key = `correction:${c.id}:${++m.seq}`;
    await post(r, { contractId: c.id, kind: 'correction', amount: this.amount, key, today: today(m), cause: 'correction' });
    modelPost(m, c, this.amount, key, today(m));
    await checkInvariants(m, r);
  }
  toString = () => `correct(#${this.who}, ${this.amount})`;
}

type RunMode = 'once' | 'twice' | 'none';

class Advance implements Command {
  constructor(readonly days: number, readonly minuteOfDay: number, readonly mode: RunMode) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const target = Math.max(dayStart(addDays(today(m), this.days)) + this.minuteOfDay * MINUTE, m.now + MINUTE);
    if (this.mode === 'none') {
      m.now = target; // the process is down: nothing runs, the next tick catches up
      r.clock.set(new Date(target));
    } else {
      const ticks = new Set([m.now + MINUTE, target]);
      for (let d = today(m); d <= dayOf(new Date(target), TZ); d = addDays(d, 1)) ticks.add(dayStart(d) + 5 * MINUTE);
      for (const j of m.jobs) ticks.add(j.at);
      for (const at of [...ticks].filter((t) => t > m.now && t <= target).sort((a, b) => a - b)) {
        modelTick(m, at);
        await realTick(r, at, this.mode === 'twice');
      }
      if (this.mode === 'twice') seen.doubleRuns++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `advance(${this.days} d to ${String(Math.floor(this.minuteOfDay / 60)).padStart(2, '0')}:${String(this.minuteOfDay % 60).padStart(2, '0')}, run ${this.mode})`;
}

class Rerun implements Command {
  constructor(readonly back: number) {}
  check = (m: Readonly<Model>) => m.lastRun !== null;
  async run(m: Model, r: Real) {
    const back = addDays(m.lastRun!, -this.back);
    const day = back < m.firstRun! ? m.firstRun! : back;
    const res = await runChargeDay(r.ctx.db, day, { timeZone: TZ, now: r.clock.now(), pausedDailyFeeKopecks: m.pausedFee });
    expect(res).toMatchObject({ day, alreadyDone: true, contractsCharged: 0 });
    await checkInvariants(m, r);
  }
  toString = () => `rerun(${this.back} d back)`;
}

class Sign implements Command {
  constructor(readonly spec: ContractSpec) {}
  check = (m: Readonly<Model>) => m.contracts.length < MAX_CONTRACTS;
  async run(m: Model, r: Real) {
    await signContract(m, r, this.spec);
    await checkInvariants(m, r);
  }
  toString = () => `sign(${JSON.stringify(this.spec)})`;
}

/** The engine's raw side of a voluntary block begins: an active contract is paused (no block row). */
class Pause implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).status === 'active';
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const paused = await r.ctx.db.transaction((trx) => pauseContract(trx, c.id, 'voluntary_block', r.clock.now().toISOString()));
    expect(paused).toBe(true);
    changeStatus(m, c, 'paused');
    await checkInvariants(m, r);
  }
  toString = () => `pause(#${this.who})`;
}

/** ... and ends: active again, today's share taken (once), then blocked if the balance is below the limit. */
class Resume implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).status === 'paused';
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const status = await r.ctx.db.transaction((trx) => resumeAfterPause(trx, c.id, today(m), r.clock.now().toISOString(), 'voluntary_block_end'));
    modelResume(m, c);
    expect(status).toBe(c.status);
    await checkInvariants(m, r);
  }
  toString = () => `resume(#${this.who})`;
}

/** Where in the offered range the amount falls (or just outside it). */
type AmountPick = { kind: 'in'; at: number } | { kind: 'max' } | { kind: 'min' } | { kind: 'over' } | { kind: 'under' };

class TakePromised implements Command {
  constructor(readonly who: number, readonly amount: AmountPick, readonly again: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const last = c.promised.length ? c.promised[c.promised.length - 1] : null;
    const before = await snapshot(r);
    if (this.again && last) {
      // a double click: the same request key gives the same promised payment, whatever the rules say now
      expect(await r.promised.take(c.id, last.amount, last.requestKey)).toEqual({ kind: 'taken', id: last.id });
      expect(await snapshot(r)).toEqual(before);
      seen.promisedAgain++;
      return checkInvariants(m, r);
    }
    const v = modelPromisedVerdict(m, c);
    const a = this.amount;
    const amount = !v.ok ? 10_000 : a.kind === 'max' ? v.max : a.kind === 'min' ? v.min : a.kind === 'over' ? v.max + 1 : a.kind === 'under' ? v.min - 1 : v.min + Math.floor(a.at * (v.max - v.min));
    const requestKey = `req${++m.seq}`;
    const res = await r.promised.take(c.id, amount, requestKey);
    if (!v.ok) {
      expect(res).toMatchObject({ kind: 'refused', refusal: { reason: v.reason } });
      expect(await snapshot(r)).toEqual(before);
      seen.promisedRefused++;
    } else if (amount > v.max || amount < v.min) {
      expect(res).toMatchObject({ kind: 'invalid', error: amount > v.max ? 'promised.amount.tooLarge' : 'promised.amount.tooSmall', offer: { min: v.min, max: v.max } });
      expect(await snapshot(r)).toEqual(before);
      seen.promisedInvalid++;
    } else {
      if (res.kind !== 'taken') throw new Error(`promised payment refused: ${JSON.stringify(res)}, the model expected ${JSON.stringify(v)}`);
      const wasBlocked = c.status === 'blocked';
      c.promised.push({ id: res.id, amount, takenDay: today(m), open: true, repaidLate: false, requestKey });
      modelPost(m, c, amount, `promised_credit:${c.id}:${requestKey}`, today(m));
      modelEnqueue(m, { kind: 'promised_expiry', at: promisedDueAt(m), key: `promised_expiry:${res.id}`, day: today(m), ref: res.id, contract: c });
      seen.promisedTaken++;
      if (wasBlocked) {
        expect(c.status).toBe('active'); // the minimum brings it back to the limit and pays today
        seen.promisedUnblocked++;
      }
    }
    await checkInvariants(m, r);
  }
  toString = () => `promised(#${this.who}, ${JSON.stringify(this.amount)}${this.again ? ', same key again' : ''})`;
}

class ChangeTariff implements Command {
  constructor(readonly who: number, readonly to: number, readonly when: 'today' | 'next_month', readonly again: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const last = c.changes.length ? c.changes[c.changes.length - 1] : null;
    const before = await snapshot(r);
    const to = this.to % (m.tariffs.length + 1); // the last one: a tariff that does not exist
    const tariffId = to < m.tariffs.length ? m.tariffs[to].id : 999_999;
    if (this.again && last) {
      expect(await r.tariffs.confirm(c.id, { tariffId, when: this.when }, last.requestKey, null)).toEqual({ ok: true, id: last.id });
      expect(await snapshot(r)).toEqual(before);
      seen.changeAgain++;
      return checkInvariants(m, r);
    }
    const day = today(m);
    const start = this.when === 'today' ? day : addMonths(day, 1);
    const v = modelChangeVerdict(m, c, to, start, false);
    const requestKey = `req${++m.seq}`;
    const res = await r.tariffs.confirm(c.id, { tariffId, when: this.when }, requestKey, null);
    if (!v.ok) {
      expect(res).toMatchObject({ ok: false, problem: { key: v.key } });
      expect(await snapshot(r)).toEqual(before);
      if (v.key.startsWith('tariffChange.balance.')) seen.changeRefusedBalance++;
      else if (v.key.startsWith('tariffChange.tariff.')) seen.changeRefusedTariff++;
      else seen.changeRefusedStatus++;
    } else {
      if (!res.ok) throw new Error(`tariff change refused: ${JSON.stringify(res)}, the model expected ${JSON.stringify(v)}`);
      if (this.when === 'today') {
        c.changes.push({ id: res.id, to, effective: start, status: 'applied', requestKey });
        modelApplyChange(m, c, res.id, to, v.corrections);
        seen.changedToday++;
        if (v.corrections.length) seen.changedTodayRecalculated++;
      } else {
        c.changes.push({ id: res.id, to, effective: start, status: 'scheduled', requestKey });
        modelEnqueue(m, { kind: 'tariff_change', at: jobAt(start), key: `tariff_change:${res.id}`, day: start, ref: res.id, contract: c });
        seen.changeScheduled++;
      }
    }
    await checkInvariants(m, r);
  }
  toString = () => `tariff(#${this.who} to ${this.to}, ${this.when}${this.again ? ', same key again' : ''})`;
}

/** The subscriber cancels the latest change: a scheduled one is cancelled, any other is too late (409). */
class CancelChange implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).changes.length > 0;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const change = c.changes[c.changes.length - 1];
    const before = await snapshot(r);
    const outcome = await r.tariffs.cancel(c.id, change.id, null).then(
      () => 'cancelled',
      (err: unknown) => `refused: ${String(err)}`,
    );
    if (change.status === 'scheduled') {
      expect(outcome).toBe('cancelled');
      change.status = 'cancelled';
      seen.changeCancelled++;
    } else {
      expect(outcome).toMatch(/^refused/);
      expect(await snapshot(r)).toEqual(before);
    }
    await checkInvariants(m, r);
  }
  toString = () => `cancelChange(#${this.who})`;
}

class CreateBlock implements Command {
  constructor(readonly who: number, readonly fromOffset: number, readonly days: number, readonly again: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const last = c.blocks.length ? c.blocks[c.blocks.length - 1] : null;
    const before = await snapshot(r);
    const day = today(m);
    const from = addDays(day, this.fromOffset);
    const to = addDays(from, this.days - 1);
    if (this.again && last) {
      expect(await r.blocks.create(c.id, { from, to }, last.requestKey)).toEqual({ kind: 'created', id: last.id });
      expect(await snapshot(r)).toEqual(before);
      return checkInvariants(m, r);
    }
    const v = modelBlockVerdict(m, c, from, to);
    const requestKey = `req${++m.seq}`;
    const res = await r.blocks.create(c.id, { from, to }, requestKey);
    if (v.kind === 'refused') {
      expect(res).toEqual({ kind: 'refused', refusal: v.refusal });
      expect(await snapshot(r)).toEqual(before);
      seen.blockRefused++;
    } else if (v.kind === 'invalid') {
      expect(res).toMatchObject({ kind: 'invalid', error: { key: v.key } });
      expect(await snapshot(r)).toEqual(before);
      seen.blockInvalid++;
    } else {
      if (res.kind !== 'created') throw new Error(`voluntary block refused: ${JSON.stringify(res)}, the model expected it`);
      const b: MBlock = { id: res.id, from, to, status: 'scheduled', endedAt: null, requestKey };
      c.blocks.push(b);
      if (from === day) {
        modelBeginBlock(m, c, b);
        seen.blockStartedToday++;
      } else modelEnqueue(m, { kind: 'voluntary_block_start', at: jobAt(from), key: `voluntary_block_start:${b.id}`, day: from, ref: b.id, contract: c });
      modelEnqueue(m, { kind: 'voluntary_block_end', at: jobAt(addDays(to, 1)), key: `voluntary_block_end:${b.id}`, day: addDays(to, 1), ref: b.id, contract: c });
      seen.blockCreated++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `block(#${this.who}, from +${this.fromOffset} d for ${this.days} d${this.again ? ', same key again' : ''})`;
}

/** «Завершить досрочно» on the latest block: only an active one ends. */
class EndBlock implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).blocks.length > 0;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const b = c.blocks[c.blocks.length - 1];
    const active = b.status === 'active';
    expect(await r.blocks.endEarly(c.id, b.id)).toBe(active);
    if (active) {
      modelFinishBlock(m, c, b);
      seen.blockEndedEarly++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `endBlock(#${this.who})`;
}

/** Cancelling the latest block: only a scheduled one is cancelled. */
class CancelBlock implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).blocks.length > 0;
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const b = c.blocks[c.blocks.length - 1];
    const scheduled = b.status === 'scheduled';
    expect(await r.blocks.cancel(c.id, b.id)).toBe(scheduled);
    if (scheduled) {
      b.status = 'cancelled';
      b.endedAt = m.now;
      seen.blockCancelled++;
    }
    await checkInvariants(m, r);
  }
  toString = () => `cancelBlock(#${this.who})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The generators.

const fee = fc.oneof(fc.constantFrom(1, 99999, 30000, 89000, 100001, 0), fc.integer({ min: 1, max: 300_000 }));
const serviceFee = fc.oneof(fc.constantFrom(1, 2, 9999, 15000), fc.integer({ min: 1, max: 50_000 }));
const catalog: fc.Arbitrary<CatalogSpec> = fc.record({ flat: fc.array(fee, { minLength: 2, maxLength: 4 }), archived: fee, house: fee, otherTown: fee });
const contractSpec: fc.Arbitrary<ContractSpec> = fc.record({
  tariff: fc.nat({ max: 10 }),
  services: fc.array(serviceFee, { maxLength: 3 }),
  creditLimit: fc.oneof(fc.constant(0), fc.constantFrom(1, 500, 50_000), fc.integer({ min: 0, max: 100_000 })),
  firstPayment: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 400_000 }), fc.integer({ min: 400_000, max: 2_000_000 })),
});
const who = fc.nat({ max: 2 * MAX_CONTRACTS });
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 });
const sometimes = fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 });
const payment = fc.oneof(fc.constantFrom(1, 99999, 100_000), fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 200_000 }));
const days = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.constant(1), weight: 8 },
  { arbitrary: fc.integer({ min: 2, max: 7 }), weight: 4 },
  { arbitrary: fc.integer({ min: 8, max: 40 }), weight: 1 },
);
const runMode: fc.Arbitrary<RunMode> = fc.oneof(
  { arbitrary: fc.constant<RunMode>('once'), weight: 8 },
  { arbitrary: fc.constant<RunMode>('twice'), weight: 1 },
  { arbitrary: fc.constant<RunMode>('none'), weight: 2 },
);
/** Around midnight, the 00:01 jobs and the 00:05 run more often than the rest of the day. */
const minuteOfDay = fc.oneof(fc.constantFrom(0, 1, 3, 5, 6, 23 * 60 + 59), fc.integer({ min: 0, max: 24 * 60 - 1 }));
const amountPick: fc.Arbitrary<AmountPick> = fc.oneof(
  { arbitrary: fc.constant<AmountPick>({ kind: 'max' }), weight: 3 },
  { arbitrary: fc.constant<AmountPick>({ kind: 'min' }), weight: 2 },
  { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map<AmountPick>((at) => ({ kind: 'in', at })), weight: 2 },
  { arbitrary: fc.constantFrom<AmountPick>({ kind: 'over' }, { kind: 'under' }), weight: 2 },
);
const blockFrom = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 4 },
  { arbitrary: fc.constantFrom(-1, 366), weight: 1 },
);
const blockDays = fc.oneof(
  { arbitrary: fc.integer({ min: 7, max: 20 }), weight: 4 },
  { arbitrary: fc.integer({ min: 21, max: 90 }), weight: 2 },
  { arbitrary: fc.constantFrom(0, 6, 91), weight: 1 },
);

const pay = fc.tuple(who, payment, fc.boolean()).map(([w, a, again]) => new Pay(w, a, again));
const advance = fc.tuple(days, minuteOfDay, runMode).map(([d, minute, mode]) => new Advance(d, minute, mode));
const promised = fc.tuple(who, amountPick, sometimes).map(([w, a, again]) => new TakePromised(w, a, again));
/** Mostly the first tariffs of the catalogue (those of the contracts' town and segment), sometimes any, or none. */
const tariffIndex = fc.oneof({ arbitrary: fc.nat({ max: 3 }), weight: 3 }, { arbitrary: fc.nat({ max: 12 }), weight: 1 });
const tariff = fc.tuple(who, tariffIndex, fc.constantFrom<'today' | 'next_month'>('today', 'next_month'), rarely).map(([w, to, when, again]) => new ChangeTariff(w, to, when, again));
const block = fc.tuple(who, blockFrom, blockDays, rarely).map(([w, from, n, again]) => new CreateBlock(w, from, n, again));

/** fc.commands picks each entry alike: the clock, the payments and the services come in more than once to weigh more. */
const COMMANDS: fc.Arbitrary<Command>[] = [
  pay,
  pay,
  fc.tuple(who, fc.integer({ min: -150_000, max: 150_000 }).filter((a) => a !== 0)).map(([w, a]) => new Correct(w, a)),
  advance,
  advance,
  advance,
  advance,
  fc.nat({ max: 40 }).map((back) => new Rerun(back)),
  contractSpec.map((spec) => new Sign(spec)),
  who.map((w) => new Pause(w)),
  who.map((w) => new Resume(w)),
  promised,
  promised,
  tariff,
  tariff,
  tariff,
  tariff,
  who.map((w) => new CancelChange(w)),
  block,
  block,
  who.map((w) => new EndBlock(w)),
  who.map((w) => new CancelBlock(w)),
];

/** Around the ends of months of every length: 28, 29 (2028), 30 and 31 days, and the turn of a year. */
const startDay = fc.constantFrom<Day>('2026-11-24', '2026-12-30', '2027-01-27', '2027-02-26', '2027-04-29', '2028-01-31', '2028-02-25');

async function startModel(start: number, pausedFee: number, cat: CatalogSpec, specs: ContractSpec[]): Promise<{ model: Model; real: Real }> {
  const real = await openReal(start, pausedFee);
  const model: Model = {
    now: start, firstRun: null, lastRun: null, contracts: [], keys: new Set(), pausedFee, seq: 0,
    tariffs: await makeCatalog(real, cat), jobs: [], jobKeys: new Set(), jobSeq: 0,
  };
  for (const spec of specs) await signContract(model, real, spec);
  return { model, real };
}

describe('the billing engine under random months of payments, charge runs, promised payments, tariff changes and voluntary blocks', () => {
  it('keeps the ledger, the charges and the statuses right after every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        startDay,
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.constantFrom(0, 0, 300),
        catalog,
        fc.array(contractSpec, { minLength: 2, maxLength: 4 }),
        fc.commands(COMMANDS, { maxCommands: 80, size: 'max' }),
        async (day, minute, pausedFee, cat, specs, cmds) => {
          const { model, real } = await startModel(dayStart(day) + minute * MINUTE, pausedFee, cat, specs);
          try {
            await fc.asyncModelRun(() => Promise.resolve({ model, real }), cmds);
            countFullMonths(model);
          } finally {
            await real.close();
          }
        },
      ),
      { numRuns: runs(30), seed: FC_SEED },
    );
    // The generators reach every rule, not just the easy paths.
    for (const [what, n] of Object.entries(seen)) expect({ what, reached: n > 0 }).toEqual({ what, reached: true });
  });

  it('charges exactly the monthly fee over any whole month, whatever the steps of the clock', async () => {
    const month = fc.constantFrom('2027-02', '2028-02', '2027-04', '2026-12', '2027-01', '2026-11');
    await fc.assert(
      fc.asyncProperty(fee, contractSpec, month, fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }), async (f, spec, mo, steps) => {
        const first = `${mo}-01`;
        const start = dayStart(addDays(first, -1)) + 6 * 60 * MINUTE;
        const total = f + spec.services.reduce((s, x) => s + x, 0);
        const { model, real } = await startModel(start, 0, { flat: [f, f + 1], archived: 100, house: 100, otherTown: 100 }, [{ ...spec, tariff: 0, firstPayment: 10 * total + 1 }]);
        try {
          const c = model.contracts[0];
          for (const step of [0, ...steps]) await new Advance(step, 5, 'once').run(model, real);
          const [y, m] = splitDay(first);
          const last = `${mo}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
          if (model.lastRun! < last) await new Advance(daysBetween(today(model), last).length - 1, 5, 'once').run(model, real);
          const sum = await real.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).whereBetween('period_from', [first, last]).sum({ s: 'amount_kopecks' }).first<{ s: number | null }>();
          expect(0 - Number(sum?.s ?? 0) + 0).toBe(total);
        } finally {
          await real.close();
        }
      }),
      { numRuns: runs(15), seed: FC_SEED },
    );
  });
});
