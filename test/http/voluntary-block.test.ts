import request from 'supertest';
import { runChargeDay } from '../../src/billing/charges';
import { checkBalance, postEntry } from '../../src/billing/service';
import { createJobs } from '../../src/jobs/service';
import { voluntaryBlockJobHandlers } from '../../src/voluntary-block/jobs';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { createVoluntaryBlockService } from '../../src/voluntary-block/service';

// A 600 ₽ tariff: 20 ₽ a day in November (30 days), 19,35 or 19,36 ₽ in December. The clock starts at 24.11.2026 12:00
// provider time (Asia/Novokuznetsk, UTC+7): a day's 00:01 is 17:01 UTC the day before.
const FEE = 60000;
let t: TestApp;
const setup = async (env: Record<string, string> = {}) => {
  t = await makeTestApp(env);
};
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
let keySeq = 0;
const entry = (contractId: number, kind: 'payment' | 'charge', amount: number) =>
  t.ctx.db.transaction((trx) =>
    postEntry(trx, { contract_id: contractId, kind, amount_kopecks: amount, description: kind, idempotency_key: `test:${++keySeq}`, occurred_at: t.clock.now().toISOString() }),
  );

async function subscriber(balance = 100000) {
  const c = await makeContract(t.ctx, { fee: FEE });
  if (balance) await entry(c.id, balance > 0 ? 'payment' : 'charge', balance);
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

const contract = (id: number) => t.ctx.db('contracts').where({ id }).first();
const blockRows = (id: number) => t.ctx.db('voluntary_blocks').where({ contract_id: id }).orderBy('id');
const causes = (id: number) => t.ctx.db('contract_status_changes').where({ contract_id: id }).orderBy('id').pluck('cause');
const charges = (id: number) => t.ctx.db('ledger_entries').where({ contract_id: id, kind: 'charge' }).orderBy('id').select('amount_kopecks', 'period_from');
const jobs = () => createJobs(t.ctx, voluntaryBlockJobHandlers(createVoluntaryBlockService(t.ctx)));
const chargeDay = (day: string) => runChargeDay(t.ctx.db, day, { timeZone: t.ctx.config.timeZone, now: t.clock.now(), pausedDailyFeeKopecks: t.ctx.config.billing.voluntaryBlock.dailyFeeKopecks });
const past = (c: { id: number }, from: string, to: string, status: string, ended_at: string | null = null) =>
  t.ctx.db('voluntary_blocks').insert({ contract_id: c.id, from_day: from, to_day: to, status, created_at: '2026-01-01T00:00:00.000Z', ended_at });

async function expectBalance(id: number, kopecks: number) {
  expect(await checkBalance(t.ctx.db, id)).toEqual({ cached: kopecks, ledger: kopecks });
}

async function check(agent: Agent, from: string, to: string) {
  const page = await agent.get('/cabinet/voluntary-block');
  return agent.post('/cabinet/voluntary-block').type('form').send({ _csrf: csrfFrom(page.text), from, to });
}

function confirmFields(html: string) {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  return { _csrf: csrfFrom(html), from: field('from'), to: field('to'), key: field('key'), confirm: field('confirm') };
}

async function setBlock(agent: Agent, from: string, to: string) {
  const checked = await check(agent, from, to);
  expect(checked.status).toBe(200);
  return agent.post('/cabinet/voluntary-block').type('form').send(confirmFields(checked.text));
}

/** Posts one of a block's buttons (cancel, end) from its page. */
async function press(agent: Agent, id: number, action: 'cancel' | 'end', csrfPage = '/cabinet/voluntary-block') {
  const page = await agent.get(csrfPage);
  return agent.post(`/cabinet/voluntary-block/${id}/${action}`).type('form').send({ _csrf: csrfFrom(page.text) });
}

describe('«Добровольная блокировка»: the page and the check', () => {
  beforeEach(() => setup());

  it('shows the rules with the figures from config, and the form with date inputs', async () => {
    const s = await subscriber();
    const res = await s.agent.get('/cabinet/voluntary-block');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Абонентская плата за эти дни не начисляется.');
    expect(res.text).toContain('Срок — от 7 дней до 90 дней подряд.');
    expect(res.text).toContain('Всего не больше 90 дней в календарном году. В 2026 году использовано и запланировано 0 дней.');
    expect(res.text).toContain('name="from" type="date"');
    expect(res.text).toContain('name="to" type="date"');
    expect(res.text).toContain('aria-current="page">Добровольная блокировка</a>');
  });

  it('shows what will happen before anything is written, for dates typed either way', async () => {
    const s = await subscriber();
    const res = await check(s.agent, '01.12.2026', '2026-12-14');
    expect(res.status).toBe(200);
    expect(res.text).toContain('с 01.12.2026 по 14.12.2026 включительно');
    expect(res.text).toContain('<dd data-testid="length">14 дней</dd>');
    expect(res.text).toContain('<dt>Плата за дни блокировки</dt><dd data-testid="fee">не начисляется</dd>');
    expect(res.text).not.toContain('без абонентской платы');
    expect(res.text).toContain('01.12.2026 в 00:01');
    expect(res.text).toContain('15.12.2026 в 00:01 блокировка закончится сама');
    expect(res.text).toContain('Если баланс уйдёт в минус, договор заблокируется.');
    expect(res.text).not.toContain('меньше 0,00');
    expect(await blockRows(s.id)).toEqual([]);
    expect((await check(s.agent, '2026-12-01', '2026-12-21')).text).toContain('21 день');
    expect((await check(s.agent, '2026-12-01', '2026-12-22')).text).toContain('22 дня');
  });

  it.each([
    ['an end before the start', '2026-12-10', '2026-12-01', 'to', 'Последний день раньше первого'],
    ['a block shorter than the minimum', '2026-12-01', '2026-12-06', 'to', 'Слишком коротко: блокировка — не меньше 7 дней'],
    ['a block longer than the maximum', '2026-12-01', '2027-03-01', 'to', 'Слишком долго: блокировка — не больше 90 дней'],
    ['a start in the past', '2026-11-23', '2026-12-06', 'from', 'Первый день уже прошёл: начать можно не раньше сегодняшнего дня, 24.11.2026'],
    ['a start more than a year ahead', '2027-11-25', '2027-12-06', 'from', 'Начать можно не позже чем через год: до 24.11.2027'],
    ['letters for a date', 'завтра', '2026-12-14', 'from', 'Введите первый день в виде ДД.ММ.ГГГГ'],
    ['a day that does not exist', '2026-12-01', '31.02.2027', 'to', 'Введите последний день в виде ДД.ММ.ГГГГ'],
    ['no dates at all', '', '', 'from', 'Введите первый день блокировки'],
  ])('answers %s with a 422 beside the field, keeps what was typed and writes nothing', async (_name, from, to, field, message) => {
    const s = await subscriber();
    const res = await check(s.agent, from, to);
    expect(res.status).toBe(422);
    expect(res.text).toContain('class="error-summary"');
    expect(res.text).toContain(`<p class="field__error" id="${field}-error">${message}`);
    expect(res.text).toContain(`name="from" type="date" value="${from}"`);
    expect(await blockRows(s.id)).toEqual([]);
  });

  it('counts the yearly limit over scheduled, active and finished blocks; cancelled ones count nothing, one ended early only its days', async () => {
    const s = await subscriber();
    await past(s, '2026-01-10', '2026-03-09', 'finished', '2026-03-09T17:01:00.000Z'); // 59 days, ended by itself
    await past(s, '2026-04-01', '2026-06-29', 'cancelled', '2026-03-20T05:00:00.000Z'); // 90 days, never started
    await past(s, '2026-07-01', '2026-09-28', 'finished', '2026-07-20T05:00:00.000Z'); // ended early on 20.07: 19 days
    expect((await s.agent.get('/cabinet/voluntary-block')).text).toContain('В 2026 году использовано и запланировано 78 дней.');
    const over = await check(s.agent, '2026-12-01', '2026-12-13');
    expect(over.status).toBe(422);
    expect(over.text).toContain('Больше годового лимита: в 2026 году можно ещё 12 дней (всего 90 дней в год)');
    expect((await check(s.agent, '2026-12-01', '2026-12-12')).status).toBe(200);
  });

  it('counts a block over the new year in each year it touches', async () => {
    const s = await subscriber();
    await past(s, '2026-02-01', '2026-05-01', 'finished', '2026-05-01T17:01:00.000Z'); // 90 days of 2026
    const res = await check(s.agent, '2026-12-31', '2027-01-09');
    expect(res.text).toContain('в 2026 году можно ещё 0 дней');
    expect((await check(s.agent, '2027-01-01', '2027-01-10')).status).toBe(200);
    await past(s, '2027-01-01', '2027-01-09', 'scheduled');
    const page = await s.agent.get('/cabinet/voluntary-block');
    expect(page.text).toContain('В 2026 году использовано и запланировано 90 дней. В 2027 году использовано и запланировано 9 дней.');
  });

  it('is refused while the contract is blocked, and says why', async () => {
    const s = await subscriber(-500);
    const page = await s.agent.get('/cabinet/voluntary-block');
    expect(page.text).toContain('Договор заблокирован: на балансе меньше допустимого.');
    expect(page.text).not.toContain('name="from"');
    const res = await s.agent.post('/cabinet/voluntary-block').type('form').send({ _csrf: csrfFrom(page.text), from: '2026-12-01', to: '2026-12-14' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('role="alert"');
    expect(await blockRows(s.id)).toEqual([]);
  });

  it('is for signed-in subscribers only', async () => {
    expect((await request(t.app).get('/cabinet/voluntary-block')).status).toBe(303);
  });
});

describe('«Добровольная блокировка»: confirm, start, end', () => {
  beforeEach(() => setup());

  it('schedules the block with its start and end jobs at 00:01, and shows a confirmation page', async () => {
    const s = await subscriber();
    const res = await setBlock(s.agent, '2026-12-01', '2026-12-14');
    expect(res.status).toBe(303);
    const [row] = await blockRows(s.id);
    expect(res.headers.location).toBe(`/cabinet/voluntary-block/${row.id}`);
    expect(row).toMatchObject({ from_day: '2026-12-01', to_day: '2026-12-14', status: 'scheduled' });
    expect(await t.ctx.db('jobs').orderBy('id').select('kind', 'run_at', 'idempotency_key')).toEqual([
      { kind: 'voluntary_block_start', run_at: '2026-11-30T17:01:00.000Z', idempotency_key: `voluntary_block_start:${row.id}` },
      { kind: 'voluntary_block_end', run_at: '2026-12-14T17:01:00.000Z', idempotency_key: `voluntary_block_end:${row.id}` },
    ]);
    const done = await s.agent.get(res.headers.location);
    expect(done.text).toContain('Блокировка запланирована');
    expect(done.text).toContain('Отменить блокировку');
    expect((await contract(s.id)).status).toBe('active');
  });

  it('starts and ends by itself on the chosen days, with no charge between and the ledger exact at every step', async () => {
    const s = await subscriber();
    await setBlock(s.agent, '2026-12-01', '2026-12-07');
    const [row] = await blockRows(s.id);
    t.clock.set('2026-11-30T17:00:59.000Z');
    expect(await jobs().runDue()).toEqual({ done: 0, failed: 0 });
    t.clock.set('2026-11-30T17:01:00.000Z');
    expect(await jobs().runDue()).toEqual({ done: 1, failed: 0 });
    expect((await contract(s.id)).status).toBe('paused');
    expect((await blockRows(s.id))[0].status).toBe('active');
    for (const day of ['2026-12-01', '2026-12-07']) await chargeDay(day);
    expect(await charges(s.id)).toEqual([]);
    await expectBalance(s.id, 100000);
    t.clock.set('2026-12-07T17:01:00.000Z'); // 08.12 00:01
    expect(await jobs().runDue()).toEqual({ done: 1, failed: 0 });
    expect((await contract(s.id)).status).toBe('active');
    expect(await charges(s.id)).toEqual([{ amount_kopecks: -1935, period_from: '2026-12-08' }]); // charging resumes that day
    await chargeDay('2026-12-08');
    expect(await charges(s.id)).toHaveLength(1);
    await expectBalance(s.id, 100000 - 1935);
    expect(await blockRows(s.id)).toEqual([expect.objectContaining({ status: 'finished', ended_at: '2026-12-07T17:01:00.000Z' })]);
    expect(await causes(s.id)).toEqual(['voluntary_block_start', 'voluntary_block_end']);
    // a second run of either job changes nothing
    const handlers = voluntaryBlockJobHandlers(createVoluntaryBlockService(t.ctx));
    await handlers.voluntary_block_start({ id: row.id });
    await handlers.voluntary_block_end({ id: row.id });
    expect(await causes(s.id)).toHaveLength(2);
    await expectBalance(s.id, 100000 - 1935);
    const { agent } = await signIn(t.app, s.number, s.password);
    const list = await agent.get('/cabinet/voluntary-block');
    expect(list.text).toContain('01.12.2026&nbsp;–<br>07.12.2026');
    expect(list.text).toContain('В 2026 году использовано и запланировано 7 дней.');
  });

  it('starts at once when it starts today, with only the end job left to run', async () => {
    const s = await subscriber();
    const res = await setBlock(s.agent, '24.11.2026', '30.11.2026');
    expect(res.status).toBe(303);
    expect((await contract(s.id)).status).toBe('paused');
    expect((await blockRows(s.id))[0].status).toBe('active');
    expect(await t.ctx.db('jobs').pluck('kind')).toEqual(['voluntary_block_end']);
    expect((await s.agent.get(res.headers.location)).text).toContain('Блокировка включена');
  });

  it('charges the paused daily fee when config sets one, and says so before', async () => {
    await t.close();
    await setup({ VOLUNTARY_BLOCK_DAILY_FEE_KOPECKS: '300' });
    const s = await subscriber();
    expect((await check(s.agent, '2026-12-01', '2026-12-07')).text).toContain('3,00\u00a0₽ в день');
    await setBlock(s.agent, '2026-11-24', '2026-11-30');
    await chargeDay('2026-11-25');
    expect(await charges(s.id)).toEqual([{ amount_kopecks: -300, period_from: '2026-11-25' }]);
    await expectBalance(s.id, 100000 - 300);
  });

  it('ends early from the cabinet: active at once, today charged once, only the days it lasted counted', async () => {
    const s = await subscriber();
    await setBlock(s.agent, '2026-11-24', '2026-12-20');
    const [row] = await blockRows(s.id);
    t.clock.set('2026-11-27T05:00:00.000Z'); // 27.11 12:00
    const { agent } = await signIn(t.app, s.number, s.password);
    const res = await press(agent, row.id, 'end', `/cabinet/voluntary-block/${row.id}`);
    expect(res.status).toBe(303);
    expect((await contract(s.id)).status).toBe('active');
    expect(await charges(s.id)).toEqual([{ amount_kopecks: -2000, period_from: '2026-11-27' }]);
    await chargeDay('2026-11-27');
    await expectBalance(s.id, 100000 - 2000);
    const shown = await agent.get(res.headers.location);
    expect(shown.text).toContain('Блокировка завершена');
    expect(shown.text).toContain('27.11.2026 12:00');
    expect(shown.text).toMatch(/Засчитано в годовой лимит<\/dt>\s*<dd>3 дня<\/dd>/); // 24, 25 and 26 November
    // the end job later finds nothing to end
    t.clock.set('2026-12-20T17:01:00.000Z');
    await jobs().runDue();
    expect(await causes(s.id)).toEqual(['voluntary_block_start', 'voluntary_block_end']);
    const again = await press((await signIn(t.app, s.number, s.password)).agent, row.id, 'end');
    expect(again.status).toBe(409);
    expect(again.text).toContain('Эта блокировка сейчас не действует');
  });

  it('blocks the contract when it ends with the balance below the limit', async () => {
    const s = await subscriber(1000);
    await setBlock(s.agent, '2026-11-24', '2026-11-30');
    t.clock.set('2026-11-30T17:01:00.000Z'); // 01.12 00:01: December's first day costs 19,35 ₽
    await jobs().runDue();
    expect((await contract(s.id)).status).toBe('blocked');
    expect(await causes(s.id)).toEqual(['voluntary_block_start', 'voluntary_block_end', 'balance_below_limit']);
    await expectBalance(s.id, 1000 - 1935);
    await chargeDay('2026-12-01');
    await chargeDay('2026-12-02'); // blocked: nothing more
    await expectBalance(s.id, 1000 - 1935);
  });

  it('cancels a scheduled block, which then never starts; a started one cannot be cancelled', async () => {
    const s = await subscriber();
    await setBlock(s.agent, '2026-12-01', '2026-12-14');
    const [row] = await blockRows(s.id);
    const res = await press(s.agent, row.id, 'cancel');
    expect(res.status).toBe(303);
    expect(await blockRows(s.id)).toEqual([expect.objectContaining({ status: 'cancelled', cancel_reason: 'subscriber' })]);
    expect((await s.agent.get(res.headers.location)).text).toContain('Отменена вами');
    t.clock.set('2026-12-14T17:01:00.000Z');
    await jobs().runDue();
    expect((await contract(s.id)).status).toBe('active');
    expect(await causes(s.id)).toEqual([]);
    const { agent } = await signIn(t.app, s.number, s.password);
    await setBlock(agent, '2026-12-15', '2026-12-21'); // today: it starts at once
    const started = (await blockRows(s.id))[1];
    expect(started.status).toBe('active');
    const refused = await press((await signIn(t.app, s.number, s.password)).agent, started.id, 'cancel');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Эту блокировку уже нельзя отменить');
  });

  it('does not start on a contract blocked in the meantime: the block is cancelled and says why', async () => {
    const s = await subscriber(2000);
    await setBlock(s.agent, '2026-12-01', '2026-12-07');
    await entry(s.id, 'charge', -5000); // blocked
    t.clock.set('2026-11-30T17:01:00.000Z');
    await jobs().runDue();
    expect((await contract(s.id)).status).toBe('blocked');
    const [row] = await blockRows(s.id);
    expect(row).toMatchObject({ status: 'cancelled', cancel_reason: 'contract_blocked' });
    const { agent } = await signIn(t.app, s.number, s.password);
    expect((await agent.get(`/cabinet/voluntary-block/${row.id}`)).text).toContain('Не началась: договор был заблокирован из-за долга');
  });
});

describe('«Добровольная блокировка»: one at a time, and only one’s own', () => {
  beforeEach(() => setup());

  it('refuses a second block while one is scheduled, overlapping or not', async () => {
    const s = await subscriber();
    await setBlock(s.agent, '2026-12-01', '2026-12-14');
    const page = await s.agent.get('/cabinet/voluntary-block');
    expect(page.text).toContain('Запланирована блокировка с 01.12.2026 по 14.12.2026');
    expect(page.text).not.toContain('name="from"');
    for (const [from, to] of [['2026-12-10', '2026-12-20'], ['2027-01-10', '2027-01-20']]) {
      const res = await s.agent.post('/cabinet/voluntary-block').type('form').send({ _csrf: csrfFrom(page.text), from, to });
      expect(res.status).toBe(409);
      expect(res.text).toContain('У вас уже есть запланированная или действующая блокировка');
    }
    expect(await blockRows(s.id)).toHaveLength(1);
  });

  it('makes one block when asked twice at once from two tabs, and tells the second why not', async () => {
    const s = await subscriber();
    const [a, b] = await Promise.all([check(s.agent, '2026-12-01', '2026-12-14'), check(s.agent, '2026-12-05', '2026-12-20')]);
    const answers = await Promise.all([a, b].map((c) => s.agent.post('/cabinet/voluntary-block').type('form').send(confirmFields(c.text))));
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(answers.find((r) => r.status === 409)!.text).toContain('У вас уже есть запланированная или действующая блокировка');
    expect(await blockRows(s.id)).toHaveLength(1);
    expect(await t.ctx.db('jobs').count({ n: '*' }).first()).toEqual({ n: 2 });
  });

  it('gives a double click on confirm the same block', async () => {
    const s = await subscriber();
    const fields = confirmFields((await check(s.agent, '2026-11-24', '2026-11-30')).text);
    const answers = await Promise.all([1, 2].map(() => s.agent.post('/cabinet/voluntary-block').type('form').send(fields)));
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    expect(answers[0].headers.location).toBe(answers[1].headers.location);
    expect(await blockRows(s.id)).toHaveLength(1);
    expect(await causes(s.id)).toEqual(['voluntary_block_start']);
  });

  it('finds nothing behind another contract’s block id: not its page, not its buttons', async () => {
    const other = await subscriber();
    await setBlock(other.agent, '2026-11-24', '2026-11-30');
    const [row] = await blockRows(other.id);
    const s = await subscriber();
    expect((await s.agent.get(`/cabinet/voluntary-block/${row.id}`)).status).toBe(404);
    expect((await s.agent.get('/cabinet/voluntary-block/abc')).status).toBe(404);
    expect((await press(s.agent, row.id, 'end')).status).toBe(404);
    expect((await press(s.agent, row.id, 'cancel')).status).toBe(404);
    expect((await contract(other.id)).status).toBe('paused');
    expect((await blockRows(other.id))[0].status).toBe('active');
  });

  it('refuses a confirm, a cancel and an end without a csrf token, and writes nothing', async () => {
    const s = await subscriber();
    const fields = confirmFields((await check(s.agent, '2026-11-24', '2026-11-30')).text);
    expect((await s.agent.post('/cabinet/voluntary-block').type('form').send({ ...fields, _csrf: undefined })).status).toBe(403);
    expect(await blockRows(s.id)).toEqual([]);
    await s.agent.post('/cabinet/voluntary-block').type('form').send(fields);
    const [row] = await blockRows(s.id);
    for (const action of ['end', 'cancel']) {
      expect((await s.agent.post(`/cabinet/voluntary-block/${row.id}/${action}`).type('form').send({})).status).toBe(403);
    }
    expect((await contract(s.id)).status).toBe('paused');
    expect((await blockRows(s.id))[0].status).toBe('active');
  });
});
