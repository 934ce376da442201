// Property (issue 9, point 6): unblocking by a payment, a promised payment or a correction, on any day, never makes
// a contract pay a day twice, whoever wrote the charges already there. A contract starts with a charge written the
// way the seed or an import from an old billing writes it (one entry over several days, possibly past today), and a
// balance that may leave it blocked; then, day after day, the daily run (00:05) and money of each kind through
// postEntry with the provider's today (as the payment, promised-payment and correction services call it).
// Every day is covered by at most one charge entry, and the cached balance is the sum of the ledger.
// Small budget by default; FC_RUNS=500 (and FC_SEED) for a deep run.
import * as fc from 'fast-check';
import pino from 'pino';
import { runChargeDay } from '../../src/billing/charges';
import { checkBalance, importHistory, postEntry, type LedgerKind } from '../../src/billing/service';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { inTransaction } from '../../src/db';
import { openTestDb } from '../support/engine';
import { addDays, startOfDay, type Day } from '../../src/lib/dates';
import { makeContract } from '../support/factories';

const FC_RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 25;
const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261202;
jest.setTimeout(Math.max(60_000, FC_RUNS * 4_000));

const TZ = 'Asia/Novokuznetsk';
const DAYS = 7;
const at = (day: Day, minutes: number) => new Date(startOfDay(day, TZ).getTime() + minutes * 60_000);
const CAUSE: Record<string, string> = { payment: 'payment', promised_credit: 'promised_payment', correction: 'correction' };

const scenario = fc.record({
  fee: fc.integer({ min: 1_000, max: 300_000 }),
  todayOfMonth: fc.integer({ min: 1, max: 28 }),
  coverFromBack: fc.integer({ min: 0, max: 40 }), // the written charge starts this many days before today
  coverToAhead: fc.integer({ min: -3, max: 10 }), // ... and ends this many days after it (an old billing charges ahead)
  paidBefore: fc.integer({ min: 0, max: 400_000 }),
  money: fc.array(
    fc.record({
      day: fc.integer({ min: 0, max: DAYS - 1 }),
      minute: fc.integer({ min: 6, max: 24 * 60 - 1 }),
      kind: fc.constantFrom<LedgerKind>('payment', 'promised_credit', 'correction'),
      amount: fc.integer({ min: -50_000, max: 400_000 }),
    }),
    { maxLength: 8 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function check(s: Scenario): Promise<void> {
  const today: Day = `2026-12-${String(s.todayOfMonth).padStart(2, '0')}`;
  const coverFrom = addDays(today, -s.coverFromBack);
  const coverTo = addDays(today, Math.max(-s.coverFromBack, s.coverToAhead));
  const clock = new ManualClock(at(addDays(coverFrom, -1), 600));
  const { db, close } = await openTestDb();
  const ctx: AppContext = { config: loadConfig({ NODE_ENV: 'test', DATABASE_FILE: ':memory:', BCRYPT_COST: '4', LOG_LEVEL: 'silent' }), db, clock, logger: pino({ level: 'silent' }) };
  try {
    const c = await makeContract(ctx, { fee: s.fee, payments: s.paidBefore ? [{ amount: s.paidBefore, at: clock.now().toISOString() }] : [] });
    // The charge written another way, and the status the balance gives (blocked below the limit of 0).
    await inTransaction(db, async (trx) => {
      await importHistory(trx, c.id, [{
        contract_id: c.id, kind: 'charge', amount_kopecks: -Math.round((s.fee * (s.coverFromBack + 1)) / 30), description: 'Абонентская плата (перенос)',
        period_from: coverFrom, period_to: coverTo, idempotency_key: `import:${c.id}`, occurred_at: at(coverFrom, 5).toISOString(),
      }], clock.now().toISOString());
      const { balance_kopecks } = await trx('contracts').where({ id: c.id }).first('balance_kopecks');
      if (balance_kopecks < 0) await trx('contracts').where({ id: c.id }).update({ status: 'blocked' });
    });
    await db('charge_days').insert({ day: addDays(today, -1), contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });

    const money = [...s.money].sort((a, b) => a.day - b.day || a.minute - b.minute);
    let k = 0;
    for (let i = 0; i < DAYS; i++) {
      const day = addDays(today, i);
      clock.set(at(day, 5));
      await runChargeDay(db, day, { timeZone: TZ, now: clock.now(), pausedDailyFeeKopecks: 0 });
      for (const m of money.filter((x) => x.day === i)) {
        clock.set(at(day, m.minute));
        const amount = m.kind === 'correction' ? m.amount : Math.max(1, Math.abs(m.amount));
        await inTransaction(db, (trx) =>
          postEntry(trx, { contract_id: c.id, kind: m.kind, amount_kopecks: amount, description: m.kind, idempotency_key: `m:${++k}`, occurred_at: clock.now().toISOString() }, { today: day, cause: CAUSE[m.kind] }),
        );
      }
    }

    const charges = await db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).select<{ period_from: Day; period_to: Day }[]>('period_from', 'period_to');
    for (let day = coverFrom; day <= addDays(today, DAYS - 1); day = addDays(day, 1)) {
      const covering = charges.filter((e) => e.period_from <= day && day <= e.period_to);
      if (covering.length > 1) throw new Error(`${day} is charged ${covering.length} times: ${JSON.stringify(covering)}`);
    }
    const b = await checkBalance(db, c.id);
    expect(b.cached).toBe(b.ledger);
  } finally {
    await close();
  }
}

describe('a day is never charged twice', () => {
  it('unblocking by payment, promised payment or correction on any day never makes a contract pay a day twice', async () => {
    await fc.assert(fc.asyncProperty(scenario, check), { numRuns: FC_RUNS, seed: FC_SEED });
  });
});
