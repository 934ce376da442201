// The daily «low balance» reminder: who is told, with what amount and link, and never twice for the same shortfall.
import { postEntry } from '../../src/billing/service';
import { remindLowBalance } from '../../src/reminders/lowBalance';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ LOW_BALANCE_DAYS: '3' });
});
afterEach(() => t.close());

let k = 0;
const pay = (contractId: number, amount: number) =>
  t.ctx.db.transaction((trx) => postEntry(trx, { contract_id: contractId, kind: 'payment', amount_kopecks: amount, description: 'Оплата', idempotency_key: `r:${++k}`, occurred_at: t.clock.now().toISOString() }));

// 600 ₽ a month in November (30 days): 20 ₽ a day. Today is 24.11.2026.
describe('low balance reminders', () => {
  it('tells a contract whose money lasts fewer than LOW_BALANCE_DAYS days the amount and the pay page, once per shortfall', async () => {
    const low = await makeContract(t.ctx, { fee: 60000, phones: ['+79131234567'] });
    await pay(low.id, 4000); // 40 ₽: lasts through 26.11
    const fine = await makeContract(t.ctx, { fee: 60000, phones: ['+79131234568'] });
    await pay(fine.id, 20000); // 200 ₽: 10 days
    expect(await remindLowBalance(t.ctx, '2026-11-24')).toEqual({ told: 1 });
    const n = await t.ctx.db('notifications').where({ topic: 'low_balance' });
    expect(n).toHaveLength(1);
    // rest of November: 6 days × 20 ₽ = 120 ₽, December 600 ₽, minus 40 ₽ on the balance
    expect(n[0]).toMatchObject({ contract_id: low.id, link: '/cabinet/pay', body: expect.stringContaining('26.11.2026') });
    expect(n[0].body).toContain('680,00');
    const sms = await t.ctx.db('outbox').where({ topic: 'low_balance', channel: 'sms' });
    expect(sms).toHaveLength(1);
    expect(sms[0].body).toContain('http://127.0.0.1:3000/cabinet/pay');
    // the next day's run: the same shortfall, not told again
    expect(await remindLowBalance(t.ctx, '2026-11-24')).toEqual({ told: 0 });
    expect(await t.ctx.db('outbox').where({ topic: 'low_balance' })).toHaveLength(1);
  });

  it('does not tell a contract that unsubscribed from low balance by SMS, but still in the cabinet', async () => {
    const c = await makeContract(t.ctx, { fee: 60000, phones: ['+79131234567'] });
    await t.ctx.db('subscriptions').insert({ contract_id: c.id, topic: 'low_balance', channel: 'sms', enabled: false, updated_at: 'x' });
    await remindLowBalance(t.ctx, '2026-11-24');
    expect(await t.ctx.db('outbox').where({ contract_id: c.id })).toHaveLength(0);
    expect(await t.ctx.db('notifications').where({ contract_id: c.id })).toHaveLength(1);
  });
});
