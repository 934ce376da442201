import request from 'supertest';
import { checkBalance, postEntry } from '../../src/billing/service';
import { createJobs } from '../../src/jobs/service';
import { promisedJobHandlers } from '../../src/promised/jobs';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { createPromisedService } from '../../src/promised/service';

// November 2026 has 30 days: a 600 ₽ tariff costs exactly 20 ₽ a day. The clock starts at 24.11.2026 12:00 provider time.
const FEE = 60000;
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
let keySeq = 0;
const entry = (contractId: number, kind: 'payment' | 'charge', amount: number) =>
  t.ctx.db.transaction((trx) =>
    postEntry(trx, { contract_id: contractId, kind, amount_kopecks: amount, description: kind, idempotency_key: `test:${++keySeq}`, occurred_at: t.clock.now().toISOString() }, { cause: 'payment' }),
  );

/** A subscriber signed in, with the balance given (a charge below zero blocks the contract, as in life). */
async function subscriber(balance: number) {
  const c = await makeContract(t.ctx, { fee: FEE });
  if (balance) await entry(c.id, balance > 0 ? 'payment' : 'charge', balance);
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

const contract = (id: number) => t.ctx.db('contracts').where({ id }).first();
const promisedRows = (id: number) => t.ctx.db('promised_payments').where({ contract_id: id }).orderBy('id');
const ledger = (id: number) => t.ctx.db('ledger_entries').where({ contract_id: id }).orderBy('id').select('kind', 'amount_kopecks', 'period_from');
const jobs = () => createJobs(t.ctx, promisedJobHandlers(createPromisedService(t.ctx)));

async function expectBalance(id: number, kopecks: number) {
  expect(await checkBalance(t.ctx.db, id)).toEqual({ cached: kopecks, ledger: kopecks });
}

/** Opens the form, posts the amount: the "check your answers" page. */
async function check(agent: Agent, amount: string) {
  const page = await agent.get('/cabinet/promised');
  return agent.post('/cabinet/promised').type('form').send({ _csrf: csrfFrom(page.text), amount });
}

/** The check page's confirm form, as the browser would send it. */
function confirmFields(html: string) {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  return { _csrf: csrfFrom(html), amount: field('amount'), key: field('key'), confirm: field('confirm') };
}

async function take(agent: Agent, amount: string) {
  const checked = await check(agent, amount);
  return agent.post('/cabinet/promised').type('form').send(confirmFields(checked.text));
}

describe('«Обещанный платёж»: the page', () => {
  it('shows a blocked subscriber the rules with the contract\u2019s figures and offers the whole fee', async () => {
    const s = await subscriber(-500);
    const res = await s.agent.get('/cabinet/promised');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('не больше 600,00\u00a0₽ (100 % месячной платы по тарифу)');
    expect(res.text).toContain('Через 3 дня сумма спишется с баланса. Если после этого баланс уйдёт в минус, договор снова заблокируется.');
    expect(res.text).toContain('не чаще одного раза в 30 дней');
    expect(res.text).toContain('action="/cabinet/promised"');
    expect(res.text).toContain('name="amount" type="text" value="600,00"');
    // 5 ₽ of debt and today's 20 ₽: less would unblock nothing
    expect(res.text).toContain('От 25,00\u00a0₽ до 600,00\u00a0₽');
    expect(res.text).toContain('aria-current="page">Обещанный платёж</a>');
  });

  it('offers it to an active subscriber whose balance does not cover today and the next three days, and not to one whose does', async () => {
    const poor = await subscriber(7999);
    expect((await poor.agent.get('/cabinet/promised')).text).toContain('name="amount"');
    const rich = await subscriber(8000);
    const res = await rich.agent.get('/cabinet/promised');
    expect(res.text).toContain('Денег на балансе хватит ещё на 3 дня и дольше');
    expect(res.text).not.toContain('name="amount"');
  });

  it('is not offered during a voluntary block, nor when the debt is bigger than the largest amount', async () => {
    const paused = await subscriber(-500);
    await t.ctx.db('contracts').where({ id: paused.id }).update({ status: 'paused' });
    expect((await paused.agent.get('/cabinet/promised')).text).toContain('Во время добровольной блокировки обещанный платёж не нужен');
    const deep = await subscriber(-70000);
    const res = await deep.agent.get('/cabinet/promised');
    expect(res.text).toContain('Долг 700,00\u00a0₽ больше наибольшего обещанного платежа (600,00\u00a0₽), поэтому обещанный платёж блокировку не снимет. Чтобы открыть доступ сегодня, пополните баланс на 720,00\u00a0₽.');
    expect(res.text).not.toContain('name="amount"');
  });

  it('is offered from the dashboard of a blocked subscriber and from the cabinet menu', async () => {
    const s = await subscriber(-500);
    const res = await s.agent.get('/cabinet');
    expect(res.text).toContain('<a href="/cabinet/promised" data-testid="promised-offer">Взять обещанный платёж');
    expect(res.text).toContain('<a href="/cabinet/voluntary-block">Добровольная блокировка</a>');
  });

  it('takes a debt of exactly the largest amount: the dashboard offers it, the page accepts it, and the contract opens', async () => {
    const s = await subscriber(-FEE); // 600 ₽ owed = the largest promised payment; today (20 ₽) not charged yet
    const dash = await s.agent.get('/cabinet');
    expect(dash.text).toContain('Доступ откроется сразу, как только на баланс поступит 620,00\u00a0₽: долг 600,00\u00a0₽ и плата за сегодня 20,00\u00a0₽.');
    expect(dash.text).toContain('data-testid="promised-offer"');
    const page = await s.agent.get('/cabinet/promised');
    expect(page.text).not.toContain('data-testid="refusal"');
    expect(page.text).toContain('От 620,00\u00a0₽ до 620,00\u00a0₽');
    expect((await take(s.agent, '620,00')).status).toBe(303);
    expect(await contract(s.id)).toMatchObject({ status: 'active', balance_kopecks: 0 });
    await expectBalance(s.id, 0);
  });

  it('gives a blocked subscriber one step back: «Оплатить N ₽» with the amount that opens the service filled in, page and fragment', async () => {
    const s = await subscriber(-60001); // one kopeck over the largest promised payment: paying is the way
    for (const res of [await s.agent.get('/cabinet'), await s.agent.get('/cabinet/balance').set('HX-Request', 'true')]) {
      expect(res.text).toContain('Доступ откроется сразу, как только на баланс поступит 620,01\u00a0₽: долг 600,01\u00a0₽ и плата за сегодня 20,00\u00a0₽.');
      expect(res.text).toContain('<a class="button" href="/cabinet/pay?amount=620%2C01" data-testid="pay-button">Оплатить 620,01\u00a0₽</a>');
      expect(res.text).not.toContain('data-testid="promised-offer"'); // the rules refuse it: not offered
      expect(res.text).toContain('<a href="/contacts#pay">в офисе или через банк</a>');
    }
    const pay = await s.agent.get('/cabinet/pay?amount=620%2C01');
    expect(pay.status).toBe(200);
    expect(pay.text).toContain('name="amount" type="text" value="620,01"');
    expect(pay.text).toContain('чтобы только открыть доступ сегодня, хватит 620,01\u00a0₽');
    const refused = await s.agent.get('/cabinet/promised');
    expect(refused.text).toContain('Долг 600,01\u00a0₽ больше наибольшего обещанного платежа (600,00\u00a0₽)');
    expect(refused.text).toContain('<a class="button" href="/cabinet/pay?amount=620%2C01">Оплатить 620,01\u00a0₽</a>');
    expect(refused.text).toContain('<a href="/contacts#pay">Оплатить в офисе или через банк</a>');
  });

  it('after one is taken, the dashboard says when it is taken back and «Хватит до» and the next month count it', async () => {
    const s = await subscriber(-500);
    expect((await take(s.agent, '250,00')).status).toBe(303); // −5 ₽ + 250 ₽ − 20 ₽ today = 225 ₽
    const dash = await s.agent.get('/cabinet');
    expect(dash.text).toContain('Обещанный платёж 250,00\u00a0₽ будет списан 27.11.2026.');
    // 25 and 26 November cost 40 ₽; on the 27th its 20 ₽ and the 250 ₽ taken back do not fit in 185 ₽
    expect(dash.text).toContain('Хватит до 26.11.2026 включительно');
    // 120 ₽ for 25..30.11 + 600 ₽ for December − (225 ₽ − 250 ₽)
    expect(dash.text).toContain('К оплате за следующий месяц: 745,00\u00a0₽, считая обещанный платёж');
    expect(dash.text).not.toContain('data-testid="promised-offer"');
    const page = await s.agent.get('/cabinet/promised');
    expect(page.text).toContain('Обещанный платёж уже взят');
    expect(page.text).toContain('<a class="button" href="/cabinet/pay">Оплатить</a>');
  });

  it('is offered on the dashboard of an active subscriber only when the balance does not last the term', async () => {
    const poor = await subscriber(7999);
    expect((await poor.agent.get('/cabinet')).text).toContain('data-testid="promised-offer"');
    const rich = await subscriber(8000);
    expect((await rich.agent.get('/cabinet')).text).not.toContain('data-testid="promised-offer"');
  });

  it('is for signed-in subscribers only', async () => {
    const res = await request(t.app).get('/cabinet/promised');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fcabinet%2Fpromised');
  });
});

describe('«Обещанный платёж»: check, confirm, confirmation', () => {
  it('shows what will happen before anything is written', async () => {
    const s = await subscriber(-500);
    const res = await check(s.agent, '450,5');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Проверьте, прежде чем взять');
    expect(res.text).toContain('450,50\u00a0₽');
    expect(res.text).toContain('договор разблокируется и доступ откроется');
    expect(res.text).toContain('27.11.2026 12:00 сумма 450,50\u00a0₽ спишется с баланса. Если после этого баланс уйдёт в минус, договор снова заблокируется');
    expect(res.text).toContain('name="confirm" value="1"');
    expect(res.text).toContain('href="/cabinet/promised?amount=450%2C50"');
    expect((await s.agent.get('/cabinet/promised?amount=450%2C50')).text).toContain('name="amount" type="text" value="450,50"');
    expect(await promisedRows(s.id)).toEqual([]);
    await expectBalance(s.id, -500);
  });

  it('takes it in one go: the credit, today\u2019s charge, the unblocking, the row and the expiry job', async () => {
    const s = await subscriber(-500);
    const res = await take(s.agent, '600');
    expect(res.status).toBe(303);
    const [row] = await promisedRows(s.id);
    expect(res.headers.location).toBe(`/cabinet/promised/${row.id}`);
    expect(row).toMatchObject({ amount_kopecks: 60000, status: 'open', taken_at: '2026-11-24T05:00:00.000Z', due_at: '2026-11-27T05:00:00.000Z' });
    expect(await ledger(s.id)).toEqual([
      { kind: 'charge', amount_kopecks: -500, period_from: null },
      { kind: 'promised_credit', amount_kopecks: 60000, period_from: null },
      { kind: 'charge', amount_kopecks: -2000, period_from: '2026-11-24' },
    ]);
    await expectBalance(s.id, 57500);
    expect((await contract(s.id)).status).toBe('active');
    expect(await t.ctx.db('contract_status_changes').where({ contract_id: s.id }).orderBy('id').pluck('cause')).toEqual(['balance_below_limit', 'promised_payment']);
    expect(await t.ctx.db('jobs').where({ idempotency_key: `promised_expiry:${row.id}` }).first()).toMatchObject({ kind: 'promised_expiry', run_at: '2026-11-27T05:00:00.000Z', status: 'pending' });
    const done = await s.agent.get(res.headers.location);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Обещанный платёж зачислен');
    expect(done.text).toContain('600,00\u00a0₽ уже на балансе. 27.11.2026 12:00 эта сумма спишется обратно.');
    expect(done.text).toContain('575,00\u00a0₽ · Активен');
  });

  it.each([
    ['zero', '0', 'Сумма должна быть больше нуля'],
    ['a negative amount', '-100', 'Сумма должна быть больше нуля'],
    ['a third decimal', '9.999', 'Введите сумму в рублях, например 500 или 450,50'],
    ['letters', 'сто рублей', 'Введите сумму в рублях, например 500 или 450,50'],
    ['nothing', '', 'Введите сумму'],
    ['more than the fee', '600,01', 'Сумма больше наибольшей: 600,00\u00a0₽'],
    ['less than unblocking needs', '24,99', 'Сумма меньше 25,00\u00a0₽: этого не хватит, чтобы снять блокировку'],
  ])('answers %s with a 422 beside the field, keeps what was typed and writes nothing', async (_name, amount, message) => {
    const s = await subscriber(-500);
    const res = await check(s.agent, amount);
    expect(res.status).toBe(422);
    expect(res.text).toContain('class="error-summary"');
    expect(res.text).toContain(`<p class="field__error" id="amount-error">${message}`);
    expect(res.text).toContain(`value="${amount}"`);
    expect(await promisedRows(s.id)).toEqual([]);
    await expectBalance(s.id, -500);
  });

  it('refuses a confirm whose amount was changed to more than the limit, and writes nothing', async () => {
    const s = await subscriber(-500);
    const checked = await check(s.agent, '100');
    const res = await s.agent.post('/cabinet/promised').type('form').send({ ...confirmFields(checked.text), amount: '100000' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Сумма больше наибольшей: 600,00\u00a0₽');
    expect(await promisedRows(s.id)).toEqual([]);
  });

  it('takes one credit when it is asked twice at once from two tabs, and tells the second why not', async () => {
    const s = await subscriber(-500);
    const [a, b] = await Promise.all([check(s.agent, '600'), check(s.agent, '300')]);
    const answers = await Promise.all([a, b].map((c) => s.agent.post('/cabinet/promised').type('form').send(confirmFields(c.text))));
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    const refused = answers.find((r) => r.status === 409)!;
    expect(refused.text).toContain('role="alert"');
    expect(refused.text).toMatch(/Обещанный платёж уже взят: (600|300),00\u00a0₽, он спишется с баланса 27\.11\.2026 12:00\. Следующий можно будет взять с 24\.12\.2026\./);
    expect(await promisedRows(s.id)).toHaveLength(1);
    expect(await t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'promised_credit' })).toHaveLength(1);
    expect(await t.ctx.db('jobs').where({ kind: 'promised_expiry' })).toHaveLength(1);
    const [row] = await promisedRows(s.id);
    await expectBalance(s.id, -500 + row.amount_kopecks - 2000);
  });

  it('gives a double click on confirm the same promised payment, not a second one nor an error', async () => {
    const s = await subscriber(-500);
    const fields = confirmFields((await check(s.agent, '600')).text);
    const answers = await Promise.all([1, 2].map(() => s.agent.post('/cabinet/promised').type('form').send(fields)));
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    expect(answers[0].headers.location).toBe(answers[1].headers.location);
    expect(await promisedRows(s.id)).toHaveLength(1);
    await expectBalance(s.id, 57500);
  });

  it('refuses a confirm without a csrf token and writes nothing', async () => {
    const s = await subscriber(-500);
    const fields = confirmFields((await check(s.agent, '600')).text);
    const res = await s.agent.post('/cabinet/promised').type('form').send({ ...fields, _csrf: undefined });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Страница устарела');
    expect(await promisedRows(s.id)).toEqual([]);
    await expectBalance(s.id, -500);
  });

  it('shows a subscriber only their own promised payments: another contract\u2019s id is not found', async () => {
    const other = await subscriber(-500);
    await take(other.agent, '600');
    const [row] = await promisedRows(other.id);
    const s = await subscriber(-500);
    for (const url of [`/cabinet/promised/${row.id}`, '/cabinet/promised/abc', '/cabinet/promised/99999']) {
      expect((await s.agent.get(url)).status).toBe(404);
    }
    expect((await other.agent.get(`/cabinet/promised/${row.id}`)).status).toBe(200);
  });
});

describe('«Обещанный платёж»: the end of the term', () => {
  it('takes the amount back at the due time, once, and blocks again below the limit: repaid late', async () => {
    const s = await subscriber(-500);
    await take(s.agent, '600');
    const [row] = await promisedRows(s.id);
    t.clock.set('2026-11-27T04:59:59.000Z');
    expect(await jobs().runDue()).toEqual({ done: 0, failed: 0 });
    await expectBalance(s.id, 57500);
    t.clock.set('2026-11-27T05:00:00.000Z');
    expect(await jobs().runDue()).toEqual({ done: 1, failed: 0 });
    await expectBalance(s.id, -2500);
    expect((await contract(s.id)).status).toBe('blocked');
    const [repaid] = await promisedRows(s.id);
    expect(repaid).toMatchObject({ status: 'repaid', settled_at: '2026-11-27T05:00:00.000Z' });
    expect(Boolean(repaid.repaid_late)).toBe(true); // 1 on SQLite, true on PostgreSQL
    expect(await t.ctx.db('contract_status_changes').where({ contract_id: s.id }).orderBy('id').pluck('cause')).toEqual(['balance_below_limit', 'promised_payment', 'balance_below_limit']);
    // run again (a retry, a second process): nothing more
    await promisedJobHandlers(createPromisedService(t.ctx)).promised_expiry({ id: row.id });
    await expectBalance(s.id, -2500);
    expect(await t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'promised_repayment' })).toHaveLength(1);
    // and a late repayment closes the door to the next one, even after 30 days
    t.clock.set('2026-12-25T05:00:00.000Z');
    const { agent } = await signIn(t.app, s.number, s.password); // the session has long expired
    const page = await agent.get('/cabinet/promised');
    expect(page.text).toContain('Прошлый обещанный платёж не был погашен вовремя');
    expect(page.text).toContain('Погашен с опозданием');
    const res = await agent.post('/cabinet/promised').type('form').send({ _csrf: csrfFrom(page.text), amount: '600' });
    expect(res.status).toBe(409);
  });

  it('is repaid on time when the subscriber paid in the meantime, and offered again only after 30 days', async () => {
    const s = await subscriber(-500);
    await take(s.agent, '600');
    await entry(s.id, 'payment', 3500);
    t.clock.set('2026-11-27T05:00:00.000Z');
    await jobs().runDue();
    await expectBalance(s.id, 1000);
    expect((await contract(s.id)).status).toBe('active');
    const rows = await promisedRows(s.id);
    expect(rows).toEqual([expect.objectContaining({ status: 'repaid' })]);
    expect(Boolean(rows[0].repaid_late)).toBe(false);
    t.clock.set('2026-12-10T05:00:00.000Z');
    const { agent } = await signIn(t.app, s.number, s.password); // the session has long expired
    const soon = await agent.get('/cabinet/promised');
    expect(soon.text).toContain('Обещанный платёж можно брать раз в 30 дней: следующий — с 24.12.2026.');
    expect((await check(agent, '600')).status).toBe(409);
    const forged = await agent.post('/cabinet/promised').type('form').send({ _csrf: csrfFrom(soon.text), amount: '600', key: 'a-key-made-up-by-hand', confirm: '1' });
    expect(forged.status).toBe(409);
    expect(forged.text).toContain('следующий — с 24.12.2026');
    expect(await promisedRows(s.id)).toHaveLength(1);
    t.clock.set('2026-12-24T05:00:00.000Z'); // 10 ₽ left, December costs 19,35 ₽ a day: nearly empty
    const later = await take((await signIn(t.app, s.number, s.password)).agent, '600');
    expect(later.status).toBe(303);
    expect(await promisedRows(s.id)).toHaveLength(2);
    await expectBalance(s.id, 1000 + 60000); // active: today's charge comes with the daily run, not with the credit
  });
});
