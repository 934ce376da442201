import { chargeForDays } from '../../src/billing/forecast';
import { chargeThrough } from '../../src/billing/jobs';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const toPay = (html: string) => /data-testid="to-pay">([^<]+)</.exec(html)?.[1];
const unblock = (html: string) => /data-testid="unblock">([^<]+)</.exec(html)?.[1];

describe('the dashboard forecast', () => {
  it('shows what to pay for the rest of this month and the whole next month, less the balance', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 10000, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    // 25..30 November at 300 ₽ = 60 ₽, December 300 ₽, less 100 ₽ on the balance
    expect(toPay(res.text)).toBe('К оплате за следующий месяц: 260,00\u00a0₽');
    const fragment = await agent.get('/cabinet/balance').set('HX-Request', 'true');
    expect(toPay(fragment.text)).toBe('К оплате за следующий месяц: 260,00\u00a0₽');
  });

  it('says nothing is due when the balance covers next month', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 50000, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    expect(toPay((await agent.get('/cabinet')).text)).toBe('К оплате за следующий месяц: 0,00\u00a0₽ — денег на балансе хватает');
  });

  it('tells a blocked contract what opens it today (today\u2019s charge with services, which unblocking takes) apart from next month', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, status: 'blocked' });
    const [{ id: serviceId }] = await t.ctx.db('services').insert({ code: 'ip', name: 'Статический IP', monthly_fee_kopecks: 15000 }).returning('id');
    await t.ctx.db('contract_services').insert({ contract_id: c.id, service_id: serviceId, from_day: '2026-01-01' });
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(unblock(res.text)).toBe('Договор заблокирован. Доступ откроется сразу, как только на баланс поступит 15,00\u00a0₽.'); // 10 ₽ + 5 ₽ today
    const due = chargeForDays(30000, 30, 25, 30) + chargeForDays(15000, 30, 25, 30) + 30000 + 15000;
    expect(toPay(res.text)).toBe(`К оплате за следующий месяц: ${Math.trunc(due / 100)},${String(due % 100).padStart(2, '0')}\u00a0₽ — сверх суммы, которая открывает доступ`);
  });

  it('keeps the debt out of next month\u2019s amount, and does not count today twice for a contract that today\u2019s run blocked', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 500, at: '2026-11-20T05:00:00.000Z' }] });
    await chargeThrough(t.ctx, '2026-11-24'); // 5 ₽ − 10 ₽: blocked, today charged
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(res.text).toContain('Заблокирован');
    expect(unblock(res.text)).toBe('Договор заблокирован. Доступ откроется сразу, как только на баланс поступит 5,00\u00a0₽.');
    // 60 ₽ for 25..30.11 + 300 ₽ for December; the 5 ₽ owed are said apart
    expect(toPay(res.text)).toBe('К оплате за следующий месяц: 360,00\u00a0₽ — сверх суммы, которая открывает доступ');
  });

  it('shows a paused contract without «Хватит до» and without an amount due', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 40000, at: '2026-11-20T05:00:00.000Z' }] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'paused' });
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(res.text).toContain('Добровольная блокировка');
    expect(res.text).toContain('Действует добровольная блокировка: абонентская плата не начисляется.');
    expect(res.text).not.toContain('Хватит до');
    expect(toPay(res.text)).toBeUndefined();
  });

  it('names the paused daily fee when config sets one', async () => {
    await t.close();
    t = await makeTestApp({ VOLUNTARY_BLOCK_DAILY_FEE_KOPECKS: '300' });
    const c = await makeContract(t.ctx, { fee: 30000 });
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'paused' });
    const { agent } = await signIn(t.app, c.number, c.password);
    expect((await agent.get('/cabinet')).text).toContain('вместо абонентской платы списывается 3,00\u00a0₽ в день');
  });
});
