// «Закрыть договор» (issue 11, contracts): the check page says what the closing leaves, the status becomes 'closed',
// the days up to the closing day are charged once and nothing after it, and the cabinet's features refuse the contract.
import { runChargeDay } from '../../src/billing/charges';
import { checkBalance } from '../../src/billing/service';
import { formatMoney } from '../../src/lib/money';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { staffAgent, staffPost, type StaffAgent } from '../support/staff';

jest.setTimeout(30_000);

const TZ = 'Asia/Novokuznetsk';
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp(); // 24.11.2026 12:00 provider time; November: 30 days
});
afterEach(() => t.close());

const path = (id: number) => `/admin/contracts/${id}/close`;
const contractRow = (id: number) => t.ctx.db('contracts').where({ id }).first('status', 'closed_on', 'closed_reason', 'balance_kopecks');
const charges = (id: number) => t.ctx.db('ledger_entries').where({ contract_id: id, kind: 'charge' }).orderBy('period_from').select('amount_kopecks', 'period_from', 'period_to');
const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor', 'actor_id', 'contract_id', 'before', 'after', 'detail');

async function check(agent: StaffAgent, id: number, fields: Record<string, string>) {
  return staffPost(agent, path(id), fields, path(id));
}
async function closeIt(agent: StaffAgent, id: number, day: string, reason = 'Переезд') {
  const page = await check(agent, id, { day, reason });
  expect(page.status).toBe(200);
  return agent.post(path(id)).type('form').send({ _csrf: csrfFrom(page.text), day, reason, confirm: '1' });
}
const runDay = (day: string) => runChargeDay(t.ctx.db, day, { timeZone: TZ, now: t.clock.now(), pausedDailyFeeKopecks: 0 });

describe('closing a contract', () => {
  it('shows the form with today as the closing day to an admin and a cashier', async () => {
    const c = await makeContract(t.ctx);
    for (const role of ['admin', 'cashier'] as const) {
      const { agent } = await staffAgent(t, role);
      const res = await agent.get(path(c.id));
      expect(res.status).toBe(200);
      expect(res.text).toContain('Закрыть договор');
      expect(res.text).toContain('name="day" type="date" value="2026-11-24"');
      expect(res.text).toContain(c.number);
    }
  });

  it('says on the check page what is still charged and the debt it leaves, then closes: charged through the closing day, nothing after', async () => {
    const c = await makeContract(t.ctx, { fee: 30000 }); // 10 ₽ a day in November
    const { agent, staff } = await staffAgent(t, 'cashier');
    const page = await check(agent, c.id, { day: '26.11.2026', reason: 'Переезд' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Начисления прекращаются после 26.11.2026');
    expect(page.text).toContain(`До дня закрытия будет начислено: ${formatMoney(3000)}`);
    expect(page.text).toContain(`Задолженность абонента: ${formatMoney(3000)}`);
    expect((await contractRow(c.id)).status).toBe('active'); // the check page changes nothing

    const done = await agent.post(path(c.id)).type('form').send({ _csrf: csrfFrom(page.text), day: '2026-11-26', reason: 'Переезд', confirm: '1' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(path(c.id));
    const shown = await agent.get(path(c.id));
    expect(shown.text).toContain('последний день обслуживания — 26.11.2026');
    expect(shown.text).toContain(`Задолженность абонента: ${formatMoney(3000)}`);

    expect(await contractRow(c.id)).toEqual({ status: 'closed', closed_on: '2026-11-26', closed_reason: 'Переезд', balance_kopecks: -3000 });
    expect(await t.ctx.db('contract_status_changes').where({ contract_id: c.id }).select('from_status', 'to_status', 'cause')).toEqual([
      { from_status: 'active', to_status: 'closed', cause: 'contract_closed' },
    ]);
    const [a] = await audits('contract_closed');
    expect(a).toMatchObject({ actor: 'staff', actor_id: staff.id, contract_id: c.id });
    expect(JSON.parse(a.before)).toEqual({ status: 'active', closed_on: null });
    expect(JSON.parse(a.after)).toMatchObject({ status: 'closed', closed_on: '2026-11-26', balance_kopecks: -3000 });

    // The daily run over the closing days and the days after charges nothing more.
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-12-01']) await runDay(day);
    expect(await charges(c.id)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26'].map((d) => ({ amount_kopecks: -1000, period_from: d, period_to: d })));
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: -3000, ledger: -3000 });
  });

  it('does not charge again a day the run has charged, and shows the money to refund', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 50000, at: '2026-11-20T05:00:00.000Z' }] });
    await runDay('2026-11-24');
    const { agent } = await staffAgent(t, 'admin');
    const page = await check(agent, c.id, { day: '2026-11-24', reason: 'Отказ от услуг' });
    expect(page.text).toContain('Все дни до дня закрытия уже начислены.');
    expect(page.text).toContain(`К возврату абоненту: ${formatMoney(49000)}`);
    expect((await closeIt(agent, c.id, '2026-11-24')).status).toBe(303);
    await runDay('2026-11-25');
    expect(await charges(c.id)).toHaveLength(1);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 49000, ledger: 49000 });
  });

  it('charges a blocked contract nothing and says when the balance is zero', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, status: 'blocked' });
    const { agent } = await staffAgent(t, 'admin');
    const page = await check(agent, c.id, { day: '2026-11-30', reason: 'Долг' });
    expect(page.text).toContain('Договор заблокирован: до дня закрытия ничего не начисляется.');
    expect(page.text).toContain('Баланс нулевой');
    expect((await closeIt(agent, c.id, '2026-11-30')).status).toBe(303);
    await runDay('2026-11-25');
    expect(await charges(c.id)).toEqual([]);
  });

  it('refuses a closing day in the past, too far ahead, badly typed, and an empty reason (422), keeping what was typed', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'admin');
    const cases: [Record<string, string>, string][] = [
      [{ day: '2026-11-23', reason: 'x' }, 'не может быть раньше сегодняшнего дня (24.11.2026)'],
      [{ day: '2026-12-26', reason: 'x' }, 'не может быть позже 25.12.2026'],
      [{ day: '31.02.2026', reason: 'x' }, 'в формате ДД.ММ.ГГГГ'],
      [{ day: '2026-11-25', reason: '  ' }, 'Укажите причину закрытия.'],
    ];
    for (const [fields, message] of cases) {
      const res = await check(agent, c.id, fields);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${fields.day}"`);
    }
    // a confirm with a day gone bad meanwhile is refused the same way
    const sneaky = await check(agent, c.id, { day: '2026-11-01', reason: 'x', confirm: '1' });
    expect(sneaky.status).toBe(422);
    expect((await contractRow(c.id)).status).toBe('active');
  });

  it('says clearly that a closed contract cannot be closed again, and changes nothing', async () => {
    const c = await makeContract(t.ctx, { fee: 30000 });
    const { agent } = await staffAgent(t, 'admin');
    const page = await check(agent, c.id, { day: '2026-11-25', reason: 'Переезд' });
    expect((await agent.post(path(c.id)).type('form').send({ _csrf: csrfFrom(page.text), day: '2026-11-25', reason: 'Переезд', confirm: '1' })).status).toBe(303);
    const again = await agent.post(path(c.id)).type('form').send({ _csrf: csrfFrom(page.text), day: '2026-11-30', reason: 'Ещё раз', confirm: '1' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Договор уже закрыт: последний день обслуживания — 25.11.2026');
    expect(await contractRow(c.id)).toMatchObject({ closed_on: '2026-11-25', closed_reason: 'Переезд' });
    expect(await audits('contract_closed')).toHaveLength(1);
  });

  it('is refused to support and content (403) on the page and the POST, and nothing changes', async () => {
    const c = await makeContract(t.ctx);
    for (const role of ['support', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get(path(c.id))).status).toBe(403);
      const res = await staffPost(agent, path(c.id), { day: '2026-11-24', reason: 'x', confirm: '1' });
      expect(res.status).toBe(403);
    }
    expect((await contractRow(c.id)).status).toBe('active');
    expect(await audits('staff_forbidden')).toHaveLength(2);
  });

  it('refuses a POST without the CSRF token (403)', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'admin');
    await agent.get(path(c.id));
    const res = await agent.post(path(c.id)).type('form').send({ day: '2026-11-24', reason: 'x', confirm: '1' });
    expect(res.status).toBe(403);
    expect((await contractRow(c.id)).status).toBe('active');
  });

  it('answers 404 for an unknown contract', async () => {
    const { agent } = await staffAgent(t, 'admin');
    expect((await agent.get(path(999999))).status).toBe(404);
    expect((await agent.get('/admin/contracts/abc/close')).status).toBe(404);
  });
});

describe('a closed contract in the cabinet', () => {
  it('still signs in and sees «Договор закрыт» and its balance; promised payment, voluntary block, tariff change and card payment are refused', async () => {
    const c = await makeContract(t.ctx, { fee: 30000 });
    const { agent: staff } = await staffAgent(t, 'admin');
    expect((await closeIt(staff, c.id, '2026-11-25')).status).toBe(303);

    const { agent } = await signIn(t.app, c.number, c.password);
    const home = await agent.get('/cabinet');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Договор закрыт, последний день обслуживания — 25.11.2026');
    expect(home.text).toContain(formatMoney(-2000).replace('-', '−').slice(1)); // the balance, whatever the minus sign

    expect((await agent.get('/cabinet/promised')).text).toContain('Договор закрыт: обещанный платёж недоступен.');
    expect((await agent.get('/cabinet/voluntary-block')).text).toContain('Договор закрыт: добровольная блокировка недоступна.');
    const tariffPage = await agent.get('/cabinet/tariff');
    const tariff = await agent.post('/cabinet/tariff').type('form').send({ _csrf: csrfFrom(tariffPage.text), tariff: '1', when: 'today' });
    expect(tariff.status).toBe(422);
    expect(tariff.text).toContain('Договор закрыт: сменить тариф нельзя.');
    const payPage = await agent.get('/cabinet/pay');
    const pay = await agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(payPage.text), amount: '500', contact: 'a@example.com' });
    expect(pay.status).toBe(409);
    expect(pay.text).toContain('Договор закрыт: оплата картой недоступна.');
    expect(await t.ctx.db('payments').where({ contract_id: c.id }).count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    expect(Number((await t.ctx.db('payments').where({ contract_id: c.id }).count({ n: '*' }))[0].n)).toBe(0);
  });
});
