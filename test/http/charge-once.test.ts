// A day is never charged twice (issue 9, point 6): whether a day is charged is decided by the periods that a
// contract's charge entries cover, so a charge written another way (the seed's monthly entry, an import from an old
// billing) is never taken again, neither when a payment unblocks the contract nor by the daily run.
import request from 'supertest';
import { runChargeDay } from '../../src/billing/charges';
import { checkBalance, importHistory } from '../../src/billing/service';
import { inTransaction } from '../../src/db';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

const TZ = 'Asia/Novokuznetsk';
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  t.clock.set('2026-12-02T05:00:00.000Z'); // 02.12.2026 12:00 provider time
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
async function takePromisedWithoutJs(agent: Agent, amount: string) {
  const page = await agent.get('/cabinet/promised');
  const checked = await agent.post('/cabinet/promised').type('form').send({ _csrf: csrfFrom(page.text), amount });
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(checked.text)?.[1] ?? '';
  return agent.post('/cabinet/promised').type('form').send({ _csrf: csrfFrom(checked.text), amount: field('amount'), key: field('key'), confirm: field('confirm') });
}

const chargesCovering = (contractId: number, day: string) =>
  t.ctx.db('ledger_entries').where({ contract_id: contractId, kind: 'charge' }).where('period_from', '<=', day).where('period_to', '>=', day).select('amount_kopecks', 'description', 'period_from', 'period_to');

describe('a day charged by an entry written another way (contract 100021 of the demo)', () => {
  it('is not charged again when a promised payment taken without JavaScript unblocks the contract, nor by the daily run', async () => {
    // «ТВ Базовый», 250 ₽ a month: 01.12–02.12.2026 cost 16,12 ₽, written as one entry (the seed's, an import's).
    const c = await makeContract(t.ctx, { fee: 25000 });
    await inTransaction(t.ctx.db, async (trx) => {
      await importHistory(trx, c.id, [{
        contract_id: c.id, kind: 'charge', amount_kopecks: -1612, description: 'Абонентская плата «ТВ Базовый»',
        period_from: '2026-12-01', period_to: '2026-12-02', idempotency_key: `seed:charge:${c.number}:2026-12`, occurred_at: '2026-12-01T17:05:00.000Z',
      }], t.clock.now().toISOString());
      await trx('contracts').where({ id: c.id }).update({ status: 'blocked' });
    });
    await t.ctx.db('charge_days').insert({ day: '2026-12-01', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });

    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await takePromisedWithoutJs(agent, '250,00');
    expect(res.status).toBe(303);

    const contract = await t.ctx.db('contracts').where({ id: c.id }).first();
    expect(contract.status).toBe('active');
    expect(await chargesCovering(c.id, '2026-12-02')).toEqual([
      { amount_kopecks: -1612, description: 'Абонентская плата «ТВ Базовый»', period_from: '2026-12-01', period_to: '2026-12-02' },
    ]);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 25000 - 1612, ledger: 25000 - 1612 });

    // The daily run of the same day leaves it alone too; the next day is charged once, by the run.
    await runChargeDay(t.ctx.db, '2026-12-02', { timeZone: TZ, now: t.clock.now(), pausedDailyFeeKopecks: 0 });
    expect(await chargesCovering(c.id, '2026-12-02')).toHaveLength(1);
    await runChargeDay(t.ctx.db, '2026-12-03', { timeZone: TZ, now: new Date('2026-12-02T17:05:00.000Z'), pausedDailyFeeKopecks: 0 });
    expect(await chargesCovering(c.id, '2026-12-03')).toEqual([
      { amount_kopecks: -807, description: 'Абонентская плата за день', period_from: '2026-12-03', period_to: '2026-12-03' },
    ]);
  });

  it('a daily run skips a contract whose month an old billing charged in advance, and charges it again after that month', async () => {
    const c = await makeContract(t.ctx, { fee: 31000, payments: [{ amount: 100000, at: '2026-11-30T05:00:00.000Z' }] });
    await inTransaction(t.ctx.db, (trx) =>
      importHistory(trx, c.id, [{
        contract_id: c.id, kind: 'charge', amount_kopecks: -31000, description: 'Абонентская плата за декабрь (старый биллинг)',
        period_from: '2026-12-01', period_to: '2026-12-31', idempotency_key: `import:${c.number}:2026-12`, occurred_at: '2026-11-30T17:00:00.000Z',
      }], t.clock.now().toISOString()),
    );
    const r = await runChargeDay(t.ctx.db, '2026-12-02', { timeZone: TZ, now: t.clock.now(), pausedDailyFeeKopecks: 0 });
    expect(r.contractsCharged).toBe(0);
    expect(await chargesCovering(c.id, '2026-12-02')).toHaveLength(1);
    await runChargeDay(t.ctx.db, '2027-01-01', { timeZone: TZ, now: new Date('2026-12-31T17:05:00.000Z'), pausedDailyFeeKopecks: 0 });
    expect(await chargesCovering(c.id, '2027-01-01')).toHaveLength(1);
  });
});
