import request from 'supertest';
import { chargeThrough, billingJobHandlers, scheduleBillingDay } from '../../src/billing/jobs';
import { dailyCharge } from '../../src/billing/forecast';
import { checkBalance } from '../../src/billing/service';
import { createJobs } from '../../src/jobs/service';
import { tariffChangeJobHandlers } from '../../src/tariff-change/jobs';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract, makeTariff, makeTown } from '../support/factories';
import { createTariffChangeService } from '../../src/tariff-change/service';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
const NOV_24 = '2026-11-24';

/** A contract on a 450 ₽ flat tariff with 1 000 ₽ paid, today's charge taken, and the tariffs around it. */
async function setup(o: { balance?: number; charged?: boolean } = {}) {
  const c = await makeContract(t.ctx, { fee: 45000, payments: o.balance === 0 ? [] : [{ amount: o.balance ?? 100000, at: '2026-11-20T05:00:00.000Z' }] });
  const dearer = await makeTariff(t.ctx, { name: 'Быстрый 500', fee: 90000, townIds: [c.townId] });
  const cheaper = await makeTariff(t.ctx, { name: 'Эконом 50', fee: 30000, townIds: [c.townId] });
  const elsewhere = await makeTown(t.ctx);
  const otherTown = await makeTariff(t.ctx, { name: 'Только в другом городе', fee: 50000, townIds: [elsewhere.id] });
  const archived = await makeTariff(t.ctx, { name: 'Старый архивный', fee: 20000, archived: true, townIds: [c.townId] });
  const house = await makeTariff(t.ctx, { name: 'Для частного дома', fee: 70000, segment: 'house', townIds: [c.townId] });
  if (o.charged !== false) await chargeThrough(t.ctx, NOV_24); // the 00:05 run of today, at the old tariff
  const { agent } = await signIn(t.app, c.number, c.password, true); // «Запомнить»: the clock moves by days
  return { c, agent, dearer, cheaper, otherTown, archived, house };
}

const contract = (id: number) => t.ctx.db('contracts').where({ id }).first();
const changes = (id: number) => t.ctx.db('tariff_changes').where({ contract_id: id }).orderBy('id');
const entries = (id: number) => t.ctx.db('ledger_entries').where({ contract_id: id }).orderBy('id').select('kind', 'amount_kopecks', 'idempotency_key', 'period_from');
const exact = async (id: number) => {
  const b = await checkBalance(t.ctx.db, id);
  expect(b.cached).toBe(b.ledger);
  return b.ledger;
};

async function choose(agent: Agent, fields: Record<string, string>) {
  const page = await agent.get('/cabinet/tariff');
  return agent.post('/cabinet/tariff').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}
async function confirm(agent: Agent, fields: Record<string, string>) {
  const check = await choose(agent, fields);
  expect(check.status).toBe(200);
  const key = /name="key" value="([^"]+)"/.exec(check.text)![1];
  const body = { _csrf: csrfFrom(check.text), ...fields, key };
  return { res: await agent.post('/cabinet/tariff/confirm').type('form').send(body), body };
}
const jobs = () => createJobs(t.ctx, { ...billingJobHandlers(t.ctx), ...tariffChangeJobHandlers(t.ctx, createTariffChangeService(t.ctx)) });

describe('«Сменить тариф»: the page', () => {
  it('lists the tariffs of the contract\u2019s town and segment, not archived, not the current one, with the difference in fee', async () => {
    const { agent } = await setup();
    const res = await agent.get('/cabinet/tariff');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Смена тарифа');
    expect(res.text).toContain('Быстрый 500 — 900,00\u00a0₽ в месяц');
    expect(res.text).toContain('+450,00\u00a0₽ в месяц к нынешней плате');
    expect(res.text).toContain('Эконом 50 — 300,00\u00a0₽ в месяц');
    expect(res.text).toContain('−150,00\u00a0₽ в месяц к нынешней плате');
    for (const hidden of ['Только в другом городе', 'Старый архивный', 'Для частного дома']) expect(res.text).not.toContain(hidden);
    expect(res.text).toContain('С сегодняшнего дня');
    expect(res.text).toContain('С 01.12.2026; до этого смену можно отменить');
    expect(res.text).toContain('href="/cabinet/tariff" aria-current="page"');
  });

  it('is for signed-in subscribers only', async () => {
    expect((await request(t.app).get('/cabinet/tariff')).status).toBe(303);
    expect((await request(t.app).get('/cabinet/tariff/changes/1')).status).toBe(303);
  });

  it('tells a blocked subscriber why the tariff cannot be changed and what to do, and refuses a posted choice', async () => {
    const { c, agent, cheaper } = await setup();
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'blocked' });
    const page = await agent.get('/cabinet/tariff');
    expect(page.text).toContain('Договор заблокирован, поэтому сменить тариф сейчас нельзя. Пополните баланс');
    expect(page.text).not.toContain('name="when"');
    const res = await agent.post('/cabinet/tariff').type('form').send({ _csrf: csrfFrom(page.text), tariff: String(cheaper.id), when: 'today' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#status"');
    expect(await changes(c.id)).toEqual([]);
  });

  it('refuses while a voluntary block lasts, and says how to go on', async () => {
    const { c, agent, cheaper } = await setup();
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'paused' });
    const page = await agent.get('/cabinet/tariff');
    expect(page.text).toContain('Пока действует добровольная блокировка, тариф сменить нельзя. Завершите блокировку (можно досрочно)');
    const res = await agent.post('/cabinet/tariff').type('form').send({ _csrf: csrfFrom(page.text), tariff: String(cheaper.id), when: 'next_month' });
    expect(res.status).toBe(422);
    expect(await changes(c.id)).toEqual([]);
  });
});

describe('«Сменить тариф» from today', () => {
  it('shows the new fee, the day it starts, the recalculation of today and the new «Хватит до» before anything changes', async () => {
    const { c, agent, dearer } = await setup();
    const before = await entries(c.id);
    const res = await choose(agent, { tariff: String(dearer.id), when: 'today' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Проверьте, прежде чем сменить тариф');
    expect(res.text).toContain('900,00\u00a0₽ в месяц');
    expect(res.text).toContain('Сегодня, 24.11.2026');
    // 1 000 ₽ − 15 ₽ (today at 450 ₽) + 15 ₽ back − 30 ₽ (today at 900 ₽) = 970 ₽; 25..30.11 cost 180 ₽, December 900 ₽
    expect(res.text).toContain('вернём 15,00\u00a0₽, списанные утром по тарифу');
    expect(res.text).toContain('спишем 30,00\u00a0₽ по тарифу «Быстрый 500»');
    expect(res.text).toContain('970,00\u00a0₽');
    expect(res.text).toMatch(/data-testid="lasts-until">\d\d\.12\.2026 включительно/);
    expect((await contract(c.id)).tariff_id).toBe(c.tariffId);
    expect(await entries(c.id)).toEqual(before);
  });

  it('applies at once: the tariff, the change row, today returned at the old fee and charged at the new one, an audit row', async () => {
    const { c, agent, dearer } = await setup();
    expect(await exact(c.id)).toBe(100000 - dailyCharge(45000, NOV_24));
    const { res } = await confirm(agent, { tariff: String(dearer.id), when: 'today' });
    expect(res.status).toBe(303);
    const [change] = await changes(c.id);
    expect(res.headers.location).toBe(`/cabinet/tariff/changes/${change.id}`);
    expect(change).toMatchObject({ from_tariff_id: c.tariffId, to_tariff_id: dearer.id, effective_day: NOV_24, status: 'applied' });
    expect((await contract(c.id)).tariff_id).toBe(dearer.id);
    const recalc = (await entries(c.id)).filter((e) => e.idempotency_key.startsWith('tariff_change:'));
    expect(recalc).toEqual([
      { kind: 'correction', amount_kopecks: 1500, idempotency_key: `tariff_change:${change.id}:return:${NOV_24}`, period_from: NOV_24 },
      { kind: 'charge', amount_kopecks: -3000, idempotency_key: `tariff_change:${change.id}:charge:${NOV_24}`, period_from: NOV_24 },
    ]);
    expect(await exact(c.id)).toBe(100000 - 3000);
    const auditRow = await t.ctx.db('audit_log').where({ contract_id: c.id, action: 'tariff_change_applied' }).first();
    expect(JSON.parse(auditRow.detail)).toMatchObject({ change: change.id, from: c.tariffId, to: dearer.id });
    const done = await agent.get(res.headers.location);
    expect(done.text).toContain('Тариф сменён');
    expect(done.text).toContain('С 24.11.2026 ваш тариф — «Быстрый 500», 900,00\u00a0₽ в месяц.');
    expect(done.text).toContain('вернули 15,00\u00a0₽ по прежнему тарифу, списали 30,00\u00a0₽ по новому');
  });

  it('makes one change of a double-clicked confirm', async () => {
    const { c, agent, cheaper } = await setup();
    const { res, body } = await confirm(agent, { tariff: String(cheaper.id), when: 'today' });
    const again = await agent.post('/cabinet/tariff/confirm').type('form').send(body);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(res.headers.location);
    expect(await changes(c.id)).toHaveLength(1);
    expect(await exact(c.id)).toBe(100000 - dailyCharge(30000, NOV_24));
  });

  it('before the 00:05 run changes only the tariff, and the run then charges today at the new one', async () => {
    t.clock.set('2026-11-24T17:02:00.000Z'); // 00:02 on 25 November in Novokuznetsk
    const { c, agent, dearer } = await setup({ charged: false });
    const check = await choose(agent, { tariff: String(dearer.id), when: 'today' });
    expect(check.text).toContain('Плата за сегодня (30,00\u00a0₽) спишется уже по новому тарифу.');
    await confirm(agent, { tariff: String(dearer.id), when: 'today' });
    expect((await entries(c.id)).filter((e) => e.idempotency_key.startsWith('tariff_change:'))).toEqual([]);
    await chargeThrough(t.ctx, '2026-11-25');
    expect(await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).pluck('amount_kopecks')).toEqual([-3000]);
    expect(await exact(c.id)).toBe(100000 - 3000);
  });

  it('refuses when the balance does not cover the first day at the new tariff, and says by how much', async () => {
    const { c, agent, dearer } = await setup({ balance: 2000 }); // 20 ₽ − 15 ₽ today = 5 ₽; +15 back = 20 ₽ < 30 ₽
    const before = await entries(c.id);
    const res = await choose(agent, { tariff: String(dearer.id), when: 'today' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Денег на балансе не хватает на первый день нового тарифа: он стоит 30,00\u00a0₽, а на балансе к этому дню будет 20,00\u00a0₽. Пополните баланс хотя бы на 10,00\u00a0₽');
    expect(res.text).toContain('href="#tariff"');
    expect(await entries(c.id)).toEqual(before);
    expect(await changes(c.id)).toEqual([]);
  });

  it('refuses «from today» on a day a voluntary block ended, and offers the 1st', async () => {
    const { c, agent, cheaper } = await setup();
    await t.ctx.db('contract_status_changes').insert({ contract_id: c.id, from_status: 'paused', to_status: 'active', cause: 'voluntary_block_end', at: '2026-11-24T02:00:00.000Z' });
    const res = await choose(agent, { tariff: String(cheaper.id), when: 'today' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Сегодня действовала добровольная блокировка, поэтому с сегодняшнего дня тариф сменить нельзя');
    expect((await choose(agent, { tariff: String(cheaper.id), when: 'next_month' })).status).toBe(200);
  });
});

describe('«Сменить тариф»: bad input changes nothing', () => {
  const cases: [string, (s: Awaited<ReturnType<typeof setup>>) => Record<string, string>, string][] = [
    ['a tariff of another town', (s) => ({ tariff: String(s.otherTown.id), when: 'today' }), 'Этот тариф не подключается в вашем городе'],
    ['an archived tariff', (s) => ({ tariff: String(s.archived.id), when: 'today' }), 'Этот тариф больше не подключается'],
    ['a tariff of another segment', (s) => ({ tariff: String(s.house.id), when: 'next_month' }), 'Этот тариф для другого типа подключения'],
    ['the current tariff', (s) => ({ tariff: String(s.c.tariffId), when: 'today' }), 'Это ваш нынешний тариф'],
    ['a tariff that does not exist', () => ({ tariff: '999999', when: 'today' }), 'Такого тарифа нет'],
    ['letters for a tariff', () => ({ tariff: 'abc', when: 'today' }), 'Выберите тариф из списка'],
    ['no tariff', () => ({ when: 'today' }), 'Выберите тариф из списка'],
    ['no day', (s) => ({ tariff: String(s.cheaper.id) }), 'Выберите, с какого дня сменить тариф'],
    ['a day that is not offered', (s) => ({ tariff: String(s.cheaper.id), when: 'yesterday' }), 'Выберите, с какого дня сменить тариф'],
  ];
  it.each(cases)('answers %s with a clear 422 on the form and on confirm', async (_name, fields, message) => {
    const s = await setup();
    const before = await entries(s.c.id);
    const res = await choose(s.agent, fields(s));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Проверьте, что введено');
    expect(res.text).toContain(message);
    const page = await s.agent.get('/cabinet/tariff');
    const direct = await s.agent.post('/cabinet/tariff/confirm').type('form').send({ _csrf: csrfFrom(page.text), ...fields(s), key: 'a'.repeat(32) });
    expect(direct.status).toBe(422);
    expect(direct.text).toContain(message);
    expect((await contract(s.c.id)).tariff_id).toBe(s.c.tariffId);
    expect(await changes(s.c.id)).toEqual([]);
    expect(await entries(s.c.id)).toEqual(before);
    await exact(s.c.id);
  });

  it('refuses a confirm without its one-time key', async () => {
    const { c, agent, cheaper } = await setup();
    const page = await agent.get('/cabinet/tariff');
    const res = await agent.post('/cabinet/tariff/confirm').type('form').send({ _csrf: csrfFrom(page.text), tariff: String(cheaper.id), when: 'today' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Проверьте выбор и подтвердите ещё раз');
    expect(await changes(c.id)).toEqual([]);
  });

  it('writes nothing without the csrf token (403)', async () => {
    const { c, agent, cheaper } = await setup();
    const before = await entries(c.id);
    const res = await agent.post('/cabinet/tariff/confirm').type('form').send({ tariff: String(cheaper.id), when: 'today', key: 'a'.repeat(32) });
    expect(res.status).toBe(403);
    expect((await agent.post('/cabinet/tariff').type('form').send({ tariff: String(cheaper.id), when: 'today' })).status).toBe(403);
    expect(await changes(c.id)).toEqual([]);
    expect(await entries(c.id)).toEqual(before);
    expect((await contract(c.id)).tariff_id).toBe(c.tariffId);
  });
});

describe('«Сменить тариф» from the 1st of next month', () => {
  it('schedules the change and its job, shows it with a cancel button, and allows one at a time', async () => {
    const { c, agent, dearer, cheaper } = await setup();
    const check = await choose(agent, { tariff: String(cheaper.id), when: 'next_month' });
    expect(check.text).toContain('01.12.2026, в 00:01');
    expect(check.text).toContain('По 30.11.2026 включительно действует нынешний тариф');
    const { res } = await confirm(agent, { tariff: String(cheaper.id), when: 'next_month' });
    const [change] = await changes(c.id);
    expect(change).toMatchObject({ status: 'scheduled', effective_day: '2026-12-01', to_tariff_id: cheaper.id });
    expect(res.headers.location).toBe(`/cabinet/tariff/changes/${change.id}`);
    expect(await t.ctx.db('jobs').where({ idempotency_key: `tariff_change:${change.id}` }).first()).toMatchObject({ kind: 'tariff_change', run_at: '2026-11-30T17:01:00.000Z', status: 'pending' });
    expect((await contract(c.id)).tariff_id).toBe(c.tariffId);
    const page = await agent.get('/cabinet/tariff');
    expect(page.text).toContain('С 01.12.2026 ваш тариф — «Эконом 50», 300,00\u00a0₽ в месяц.');
    expect(page.text).toContain(`action="/cabinet/tariff/changes/${change.id}/cancel"`);
    expect(page.text).not.toContain('name="when"');
    const second = await agent.post('/cabinet/tariff').type('form').send({ _csrf: csrfFrom(page.text), tariff: String(dearer.id), when: 'today' });
    expect(second.status).toBe(422);
    expect(second.text).toContain('Смена тарифа с 01.12.2026 уже запланирована. Чтобы выбрать другой тариф, сначала отмените её.');
    expect(await changes(c.id)).toHaveLength(1);
  });

  it('is applied by its job at 00:01 on the 1st, before the charge run, so the 1st is charged at the new fee', async () => {
    const { c, agent, cheaper } = await setup();
    await confirm(agent, { tariff: String(cheaper.id), when: 'next_month' });
    t.clock.set('2026-11-30T16:59:00.000Z'); // 23:59 on 30 November: not due yet
    expect((await jobs().runDue()).done).toBe(0);
    t.clock.set('2026-11-30T17:10:00.000Z'); // 00:10 on 1 December (the process was down: 25..30 November not charged yet)
    await scheduleBillingDay(t.ctx, jobs());
    expect(await jobs().runDue()).toEqual({ done: 8, failed: 0 }); // the charge runs of 25.11-1.12, one job a day, and the change
    expect((await contract(c.id)).tariff_id).toBe(cheaper.id);
    const charges = await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).orderBy('period_from').select('period_from', 'amount_kopecks');
    expect(charges).toHaveLength(8);
    for (const e of charges.slice(0, 7)) expect(e.amount_kopecks).toBe(-dailyCharge(45000, e.period_from));
    expect(charges[7]).toEqual({ period_from: '2026-12-01', amount_kopecks: -dailyCharge(30000, '2026-12-01') });
    expect((await changes(c.id))[0]).toMatchObject({ status: 'applied' });
    expect(await t.ctx.db('audit_log').where({ contract_id: c.id, action: 'tariff_change_applied', actor: 'system' }).first()).toBeTruthy();
    expect(await exact(c.id)).toBe(100000 - 7 * 1500 - dailyCharge(30000, '2026-12-01'));
    await tariffChangeJobHandlers(t.ctx, createTariffChangeService(t.ctx)).tariff_change({ id: (await changes(c.id))[0].id }); // a retried job changes nothing
    expect(await exact(c.id)).toBe(100000 - 7 * 1500 - dailyCharge(30000, '2026-12-01'));
    const page = await agent.get(`/cabinet/tariff/changes/${(await changes(c.id))[0].id}`);
    expect(page.text).toContain('Тариф сменён');
  });

  it('is cancelled by the subscriber before it happens; its job then does nothing', async () => {
    const { c, agent, cheaper } = await setup();
    const { res } = await confirm(agent, { tariff: String(cheaper.id), when: 'next_month' });
    const page = await agent.get(res.headers.location);
    const cancel = await agent.post(`${res.headers.location}/cancel`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.location).toBe(res.headers.location);
    const shown = await agent.get(res.headers.location);
    expect(shown.text).toContain('Смена тарифа отменена');
    expect(shown.text).toContain('Причина: вы отменили её.');
    expect((await changes(c.id))[0]).toMatchObject({ status: 'cancelled', cancel_reason: 'subscriber' });
    t.clock.set('2026-11-30T17:10:00.000Z');
    await jobs().runDue();
    expect((await contract(c.id)).tariff_id).toBe(c.tariffId);
    const late = await agent.post(`${res.headers.location}/cancel`).type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(late.status).toBe(409);
    expect(late.text).toContain('Эту смену тарифа уже нельзя отменить');
    await exact(c.id);
  });

  it('is cancelled with the reason when the contract is blocked on the day, and the page says so', async () => {
    const { c, agent, cheaper } = await setup();
    await confirm(agent, { tariff: String(cheaper.id), when: 'next_month' });
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'blocked' });
    t.clock.set('2026-11-30T17:01:00.000Z');
    await t.ctx.db('charge_days').insert({ day: '2026-11-30', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
    await jobs().runDue();
    expect((await changes(c.id))[0]).toMatchObject({ status: 'cancelled', cancel_reason: 'blocked' });
    expect((await contract(c.id)).tariff_id).toBe(c.tariffId);
    const page = await agent.get('/cabinet/tariff');
    expect(page.text).toContain('Смена тарифа на «Эконом 50» с 01.12.2026 не состоялась.');
    expect(page.text).toContain('Причина: в этот день договор был заблокирован.');
    await exact(c.id);
  });

  it('refuses to schedule when the balance will not last to the end of the month, and says by how much', async () => {
    const { c, agent, cheaper } = await setup({ balance: 10000 }); // 100 ₽ − 15 ₽ today − 90 ₽ for 25..30.11 = −5 ₽
    const res = await choose(agent, { tariff: String(cheaper.id), when: 'next_month' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Денег на балансе не хватит до конца месяца по нынешнему тарифу: к 1-му числу на балансе будет −5,00\u00a0₽. Пополните баланс хотя бы на 5,00\u00a0₽');
    expect(await changes(c.id)).toEqual([]);
  });

  it('refuses to schedule when the balance is one kopeck short of the month\u2019s last day', async () => {
    const { c, agent, cheaper } = await setup({ balance: 10499 });
    const refused = await choose(agent, { tariff: String(cheaper.id), when: 'next_month' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('к 1-му числу на балансе будет −0,01\u00a0₽. Пополните баланс хотя бы на 0,01\u00a0₽');
    expect(await changes(c.id)).toEqual([]);
  });

  it('schedules a change from the 1st when the balance lasts exactly through the month\u2019s last day, and applies it on the 1st', async () => {
    const { c, agent, cheaper } = await setup({ balance: 10500 }); // 105 ₽ − 15 ₽ today − 90 ₽ for 25..30.11 = 0 ₽ on the 30th
    const check = await choose(agent, { tariff: String(cheaper.id), when: 'next_month' });
    expect(check.status).toBe(200);
    expect(check.text).toMatch(/Баланс к 01\.12\.2026<\/dt><dd>0,00\u00a0₽/);
    expect(check.text).toContain('Денег не хватит на первый день нового тарифа — пополните баланс до 01.12.2026');
    const { res } = await confirm(agent, { tariff: String(cheaper.id), when: 'next_month' });
    expect(res.status).toBe(303);
    expect((await changes(c.id))[0]).toMatchObject({ status: 'scheduled', effective_day: '2026-12-01' });
    t.clock.set('2026-11-30T17:10:00.000Z'); // 00:10 on 1 December
    await scheduleBillingDay(t.ctx, jobs());
    await jobs().runDue();
    // the money that lasted to the 30th was enough to schedule it: the 1st is charged at the new tariff, as any day
    expect((await changes(c.id))[0]).toMatchObject({ status: 'applied' });
    expect((await contract(c.id)).tariff_id).toBe(cheaper.id);
    expect(await exact(c.id)).toBe(-dailyCharge(30000, '2026-12-01'));
  });
});

describe('«Сменить тариф»: another contract\u2019s change', () => {
  it('is not found, to see or to cancel, and nothing changes', async () => {
    const { agent: mine } = await setup();
    const other = await setup();
    const { res } = await confirm(other.agent, { tariff: String(other.cheaper.id), when: 'next_month' });
    const id = res.headers.location.split('/').pop();
    expect((await mine.get(`/cabinet/tariff/changes/${id}`)).status).toBe(404);
    const page = await mine.get('/cabinet/tariff');
    expect((await mine.post(`/cabinet/tariff/changes/${id}/cancel`).type('form').send({ _csrf: csrfFrom(page.text) })).status).toBe(404);
    expect((await mine.post('/cabinet/tariff/changes/abc/cancel').type('form').send({ _csrf: csrfFrom(page.text) })).status).toBe(404);
    expect((await mine.get('/cabinet/tariff/changes/abc')).status).toBe(404);
    expect((await changes(other.c.id))[0]).toMatchObject({ status: 'scheduled' });
  });
});
