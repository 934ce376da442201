// Property-based tests of the billing engine (fast-check). Random sequences of operations run over several contracts
// on a fresh in-memory database with a clock that only moves forward; after every step the database is held against
// a small model of the rules and against invariants that need no model (balance = sum of the ledger, at most one
// charge per contract and day, a full month costs exactly the fee).
//
// Operations covered (one fast-check command each, in COMMANDS):
//   pay        a payment of a random amount through postEntry with { today } (sometimes the same idempotency key again)
//   correct    a staff correction of either sign through postEntry
//   advance    the clock moves 0..40 days and the daily run goes through the new day: once, twice at the same time,
//              or not at all (the process was down: a later advance catches the missed days up in order)
//   rerun      a day already charged is run again with runChargeDay
//   sign       a new contract is signed on the way
//   pause / resume  the engine's side of a voluntary block: pauseContract and resumeAfterPause (today's charge is
//              taken on return, then the balance decides active or blocked); the daily run charges a paused
//              contract nothing, or the paused daily fee when config sets one (both are drawn)
// Promised payments, tariff changes and the voluntary-block service's own rules (dates, limits, jobs) are not
// covered here yet: each becomes one more command class with its model step, added to COMMANDS.
import * as fc from 'fast-check';
import pino from 'pino';
import { runChargeDay, runChargeDaysThrough, type ChargeRunResult } from '../../src/billing/charges';
import type { ContractStatus } from '../../src/billing/queries';
import { checkBalance, pauseContract, postEntry, resumeAfterPause, type LedgerKind } from '../../src/billing/service';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { migrate, openDb } from '../../src/db';
import { addDays, daysInMonth, dayOf, splitDay, startOfDay, type Day } from '../../src/lib/dates';
import { makeContract } from '../support/factories';

jest.setTimeout(120_000);

const TZ = 'Asia/Novokuznetsk';
const MINUTE = 60_000;
const MAX_CONTRACTS = 6;

// ---------------------------------------------------------------------------------------------------------------
// The real side: a database, a clock and the engine's own functions. No HTTP app: the engine is what is tested.

type Real = { ctx: AppContext; clock: ManualClock; pausedFee: number };

async function openReal(start: number, pausedFee: number): Promise<Real> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_FILE: ':memory:', BCRYPT_COST: '4', LOG_LEVEL: 'silent' });
  const db = openDb(':memory:');
  await migrate(db);
  const clock = new ManualClock(new Date(start));
  return { ctx: { config, db, clock, logger: pino({ level: 'silent' }) }, clock, pausedFee };
}

const runOptions = (r: Real) => ({ timeZone: TZ, now: () => r.clock.now(), pausedDailyFeeKopecks: r.pausedFee });

function post(r: Real, e: { contractId: number; kind: LedgerKind; amount: number; key: string; today: Day; cause?: string }) {
  return r.ctx.db.transaction((trx) =>
    postEntry(
      trx,
      { contract_id: e.contractId, kind: e.kind, amount_kopecks: e.amount, description: e.kind, idempotency_key: e.key, occurred_at: r.clock.now().toISOString() },
      { today: e.today, cause: e.cause },
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The model: what the rules say each operation does.

type ContractSpec = { fee: number; services: number[]; creditLimit: number; firstPayment: number };

type MContract = ContractSpec & {
  id: number;
  createdAt: number;
  balance: number;
  status: ContractStatus;
  charges: Map<Day, number>; // day -> kopecks charged (positive)
  billed: Set<Day>; // days charged at the tariff's rate (a zero share counts: it is what the day costs)
  statusChanges: number;
  paymentKeys: string[];
};

type Model = { now: number; firstRun: Day | null; lastRun: Day | null; contracts: MContract[]; keys: Set<string>; pausedFee: number; seq: number };

/** How much of the work the generated runs did: a property that never blocks anyone would prove little. */
const seen = { blocked: 0, unblocked: 0, chargesOnReturn: 0, caughtUp: 0, doubleRuns: 0, repeatedPayments: 0, pausedCharges: 0, fullMonths: 0, multiServiceMonths: 0 };

const today = (m: Model): Day => dayOf(new Date(m.now), TZ);
const pick = (m: Model, who: number): MContract => m.contracts[who % m.contracts.length];
const floorOf = (c: MContract) => -c.creditLimit;
const monthlyTotal = (c: { fee: number; services: number[] }) => c.fee + c.services.reduce((s, f) => s + f, 0);

/** Day d of a D-day month costs floor(fee·d/D) − floor(fee·(d−1)/D): written here again, not imported. */
function shareOf(fee: number, day: Day): number {
  const [y, m, d] = splitDay(day);
  const dim = daysInMonth(y, m);
  return Math.floor((fee * d) / dim) - Math.floor((fee * (d - 1)) / dim);
}
const dayCost = (c: MContract, day: Day) => shareOf(c.fee, day) + shareOf(c.services.reduce((s, f) => s + f, 0), day);
const chargeKeyOf = (c: MContract, day: Day) => `charge:${c.id}:${day}`;

function changeStatus(c: MContract, to: ContractStatus) {
  c.status = to;
  c.statusChanges++;
  if (to === 'blocked') seen.blocked++;
}

/** postEntry: the entry once per key, then the blocking rules (an unblock takes today's charge). */
function modelPost(m: Model, c: MContract, amount: number, key: string, day: Day | undefined): void {
  if (m.keys.has(key)) return;
  m.keys.add(key);
  c.balance += amount;
  if (c.status === 'active' && c.balance < floorOf(c)) changeStatus(c, 'blocked');
  else if (c.status === 'blocked' && c.balance >= floorOf(c)) {
    changeStatus(c, 'active');
    seen.unblocked++;
    if (day) modelChargeContractDay(m, c, day);
  }
}

/** chargeContractDay: today's share, unless the day has a charge already (at the tariff's rate or the paused fee). */
function modelChargeContractDay(m: Model, c: MContract, day: Day): void {
  if (m.keys.has(chargeKeyOf(c, day))) return;
  const amount = dayCost(c, day);
  c.billed.add(day);
  if (amount <= 0) return;
  c.charges.set(day, amount);
  seen.chargesOnReturn++;
  modelPost(m, c, -amount, chargeKeyOf(c, day), undefined);
}

/** One day of the daily run: the status each contract has at the moment of the run decides. */
function modelRunDay(m: Model, day: Day): void {
  const dayEnd = startOfDay(addDays(day, 1), TZ).getTime();
  for (const c of m.contracts) {
    if (c.createdAt >= dayEnd) continue;
    const paused = c.status === 'paused';
    if (c.status === 'blocked' || (paused && m.pausedFee <= 0)) continue;
    const amount = paused ? m.pausedFee : dayCost(c, day);
    if (amount <= 0) {
      c.billed.add(day);
      continue;
    }
    const key = chargeKeyOf(c, day);
    if (m.keys.has(key)) continue;
    m.keys.add(key);
    c.charges.set(day, amount);
    c.balance -= amount;
    if (paused) seen.pausedCharges++;
    else {
      c.billed.add(day);
      if (c.balance < floorOf(c)) changeStatus(c, 'blocked');
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

// ---------------------------------------------------------------------------------------------------------------
// After every step: the database against the invariants and the model.

type ChargeRow = { contract_id: number; period_from: Day; amount_kopecks: number };

async function checkInvariants(m: Model, r: Real): Promise<void> {
  const db = r.ctx.db;
  const rows = await db('ledger_entries').where({ kind: 'charge' }).select<ChargeRow[]>('contract_id', 'period_from', 'amount_kopecks');
  const twice = await db('ledger_entries').where({ kind: 'charge' }).groupBy('contract_id', 'period_from').havingRaw('count(*) > 1').select('contract_id', 'period_from');
  expect(twice).toEqual([]); // no contract charged twice for a day
  expect(await db('charge_days').orderBy('day').pluck('day')).toEqual(daysBetween(m.firstRun, m.lastRun));

  const statuses = new Map((await db('contracts').select<{ id: number; status: string }[]>('id', 'status')).map((x) => [x.id, x.status]));
  const changes = await db('contract_status_changes').orderBy('id').select<{ contract_id: number; from_status: string; to_status: string }[]>('contract_id', 'from_status', 'to_status');

  for (const c of m.contracts) {
    const balance = await checkBalance(db, c.id);
    expect(balance.cached).toBe(balance.ledger); // the cached balance is the sum of the ledger
    expect(balance.ledger).toBe(c.balance);

    expect(statuses.get(c.id)).toBe(c.status);
    if (c.status !== 'paused') expect({ id: c.id, blocked: c.status === 'blocked' }).toEqual({ id: c.id, blocked: c.balance < floorOf(c) });

    // Charged exactly on the days the model says: never on a day it was blocked (or paused without a fee) at the run.
    const charged = new Map(rows.filter((x) => x.contract_id === c.id).map((x) => [x.period_from, -x.amount_kopecks]));
    expect(sortedEntries(charged)).toEqual(sortedEntries(c.charges));

    // A whole calendar month charged at the tariff's rate costs exactly the monthly fee (tariff and services).
    for (const month of new Set([...c.billed].map((d) => d.slice(0, 7)))) {
      const days = daysOfMonth(month);
      if (!days.every((d) => c.billed.has(d))) continue;
      const total = days.reduce((s, d) => s + (charged.get(d) ?? 0), 0);
      expect({ contract: c.id, month, total }).toEqual({ contract: c.id, month, total: monthlyTotal(c) });
    }

    // Every status change is recorded, each starting where the one before ended.
    const own = changes.filter((ch) => ch.contract_id === c.id);
    expect(own).toHaveLength(c.statusChanges);
    own.forEach((ch, i) => expect(ch.from_status).toBe(i === 0 ? 'active' : own[i - 1].to_status));
    if (own.length) expect(own[own.length - 1].to_status).toBe(c.status);
  }
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

/** Counted once, when a run ends: months every contract had whole at its tariff's rate. */
function countFullMonths(m: Model): void {
  for (const c of m.contracts) {
    for (const month of new Set([...c.billed].map((d) => d.slice(0, 7)))) {
      if (daysOfMonth(month).every((d) => c.billed.has(d))) {
        seen.fullMonths++;
        if (c.services.length > 1) seen.multiServiceMonths++;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The commands.

type Command = fc.AsyncCommand<Model, Real>;

async function signContract(m: Model, r: Real, spec: ContractSpec): Promise<MContract> {
  const made = await makeContract(r.ctx, { fee: spec.fee });
  await r.ctx.db('contracts').where({ id: made.id }).update({ credit_limit_kopecks: spec.creditLimit });
  for (const fee of spec.services) {
    const [serviceId] = await r.ctx.db('services').insert({ code: `s${made.id}-${++m.seq}`, name: 'Услуга', monthly_fee_kopecks: fee });
    await r.ctx.db('contract_services').insert({ contract_id: made.id, service_id: serviceId, from_day: '2000-01-01', to_day: null });
  }
  const c: MContract = {
    ...spec, id: made.id, createdAt: m.now, balance: 0, status: 'active', charges: new Map(), billed: new Set(), statusChanges: 0, paymentKeys: [],
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
    const target = startOfDay(addDays(today(m), this.days), TZ).getTime() + this.minuteOfDay * MINUTE;
    m.now = Math.max(target, m.now + MINUTE);
    r.clock.set(new Date(m.now));
    const through = today(m);
    if (this.mode !== 'none') {
      const expected = modelRunThrough(m, through);
      const runs = this.mode === 'once' ? [runChargeDaysThrough(r.ctx.db, through, runOptions(r))] : [runChargeDaysThrough(r.ctx.db, through, runOptions(r)), runChargeDaysThrough(r.ctx.db, through, runOptions(r))];
      const done = (await Promise.all(runs)).flat().filter((x: ChargeRunResult) => !x.alreadyDone).map((x) => x.day);
      expect(done).toEqual(expected); // each day run once, in order, however many runs started
      if (expected.length > 1) seen.caughtUp++;
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
    const res = await runChargeDay(r.ctx.db, day, { ...runOptions(r), now: r.clock.now() });
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

/** A voluntary block begins: an active contract is paused. */
class Pause implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).status === 'active';
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const paused = await r.ctx.db.transaction((trx) => pauseContract(trx, c.id, 'voluntary_block', r.clock.now().toISOString()));
    expect(paused).toBe(true);
    changeStatus(c, 'paused');
    await checkInvariants(m, r);
  }
  toString = () => `pause(#${this.who})`;
}

/** A voluntary block ends: active again, today's share taken (once), then blocked if the balance is below the limit. */
class Resume implements Command {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => pick(m, this.who).status === 'paused';
  async run(m: Model, r: Real) {
    const c = pick(m, this.who);
    const status = await r.ctx.db.transaction((trx) => resumeAfterPause(trx, c.id, today(m), r.clock.now().toISOString(), 'voluntary_block_end'));
    changeStatus(c, 'active');
    modelChargeContractDay(m, c, today(m));
    if (c.status === 'active' && c.balance < floorOf(c)) changeStatus(c, 'blocked');
    expect(status).toBe(c.status);
    await checkInvariants(m, r);
  }
  toString = () => `resume(#${this.who})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The generators.

const fee = fc.oneof(fc.constantFrom(1, 99999, 30000, 89000, 100001, 0), fc.integer({ min: 1, max: 300_000 }));
const serviceFee = fc.oneof(fc.constantFrom(1, 2, 9999, 15000), fc.integer({ min: 1, max: 50_000 }));
const contractSpec: fc.Arbitrary<ContractSpec> = fc.record({
  fee,
  services: fc.array(serviceFee, { maxLength: 3 }),
  creditLimit: fc.oneof(fc.constant(0), fc.constantFrom(1, 500, 50_000), fc.integer({ min: 0, max: 100_000 })),
  firstPayment: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 400_000 }), fc.integer({ min: 400_000, max: 2_000_000 })),
});
const who = fc.nat({ max: 2 * MAX_CONTRACTS });
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

const pay = fc.tuple(who, payment, fc.boolean()).map(([w, a, again]) => new Pay(w, a, again));
const advance = fc.tuple(days, fc.integer({ min: 0, max: 24 * 60 - 1 }), runMode).map(([d, minute, mode]) => new Advance(d, minute, mode));

/** fc.commands picks each entry alike: the clock and the payments come in more than once to weigh more. */
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
];

/** Around the ends of months of every length: 28, 29 (2028), 30 and 31 days, and the turn of a year. */
const startDay = fc.constantFrom<Day>('2026-11-24', '2026-12-30', '2027-01-27', '2027-02-26', '2027-04-29', '2028-01-31', '2028-02-25');

async function startModel(start: number, pausedFee: number, specs: ContractSpec[]): Promise<{ model: Model; real: Real }> {
  const real = await openReal(start, pausedFee);
  const model: Model = { now: start, firstRun: null, lastRun: null, contracts: [], keys: new Set(), pausedFee, seq: 0 };
  for (const spec of specs) await signContract(model, real, spec);
  return { model, real };
}

describe('the billing engine under random months of payments and charge runs', () => {
  it('keeps the ledger, the charges and the statuses right after every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        startDay,
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.constantFrom(0, 0, 300),
        fc.array(contractSpec, { minLength: 2, maxLength: 4 }),
        fc.commands(COMMANDS, { maxCommands: 80, size: 'max' }),
        async (day, minute, pausedFee, specs, cmds) => {
          const { model, real } = await startModel(startOfDay(day, TZ).getTime() + minute * MINUTE, pausedFee, specs);
          try {
            await fc.asyncModelRun(() => Promise.resolve({ model, real }), cmds);
            countFullMonths(model);
          } finally {
            await real.ctx.db.destroy();
          }
        },
      ),
      { numRuns: 50 },
    );
    // The generators reach every rule, not just the easy paths.
    for (const [what, n] of Object.entries(seen)) expect({ what, reached: n > 0 }).toEqual({ what, reached: true });
  });

  it('charges exactly the monthly fee over any whole month, whatever the steps of the clock', async () => {
    const month = fc.constantFrom('2027-02', '2028-02', '2027-04', '2026-12', '2027-01', '2026-11');
    await fc.assert(
      fc.asyncProperty(contractSpec, month, fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }), async (spec, mo, steps) => {
        const first = `${mo}-01`;
        const start = startOfDay(addDays(first, -1), TZ).getTime() + 6 * 60 * MINUTE;
        const { model, real } = await startModel(start, 0, [{ ...spec, firstPayment: 10 * monthlyTotal(spec) + 1 }]);
        try {
          const c = model.contracts[0];
          for (const step of [0, ...steps]) await new Advance(step, 5, 'once').run(model, real);
          const [y, m] = splitDay(first);
          const last = `${mo}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
          if (model.lastRun! < last) await new Advance(daysBetween(today(model), last).length - 1, 5, 'once').run(model, real);
          const sum = await real.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).whereBetween('period_from', [first, last]).sum({ s: 'amount_kopecks' }).first<{ s: number | null }>();
          expect(0 - Number(sum?.s ?? 0) + 0).toBe(monthlyTotal(c));
        } finally {
          await real.ctx.db.destroy();
        }
      }),
      { numRuns: 40 },
    );
  });
});
