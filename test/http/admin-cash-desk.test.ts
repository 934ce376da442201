// The cash desk (issue 11, item 4): «Принять платёж» writes one ledger entry through billing and one payment row,
// once per form; «Корректировка» needs a reason and a check page; «Отчёт за смену» shows one cashier's day with
// totals by method; only admins and cashiers reach any of it.
import { postEntry, checkBalance } from '../../src/billing/service';
import { inTransaction } from '../../src/db';
import { formatMoney } from '../../src/lib/money';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { staffAgent, staffPost, type StaffAgent } from '../support/staff';

jest.setTimeout(30_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp(); // 24.11.2026 12:00 provider time (Asia/Novokuznetsk); November: 30 days
});
afterEach(() => t.close());

const keyFrom = (html: string) => {
  const m = /name="key" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form key on the page');
  return m[1];
};

/** The payment form of a contract as the cashier gets it: «Найти», then the form (its csrf token and one-time key). */
async function paymentForm(agent: StaffAgent, number: string) {
  const page = await agent.get(`/admin/cash-desk?contract=${number}`);
  expect(page.status).toBe(200);
  return { _csrf: csrfFrom(page.text), key: keyFrom(page.text), contract: number };
}

async function pay(agent: StaffAgent, number: string, fields: Record<string, string>) {
  const form = await paymentForm(agent, number);
  return agent.post('/admin/cash-desk').type('form').send({ ...form, ...fields });
}

async function counts() {
  const n = async (table: string, where: Record<string, unknown> = {}) => Number((await t.ctx.db(table).where(where).count({ n: '*' }).first())!.n);
  return {
    ledger: await n('ledger_entries'), payments: await n('payments'), corrections: await n('corrections'),
    audits: await n('audit_log', { action: 'cash_payment' }) + (await n('audit_log', { action: 'correction' })),
  };
}

const contractRow = (id: number) => t.ctx.db('contracts').where({ id }).first('status', 'balance_kopecks');
const auditsOf = (action: string) => t.ctx.db('audit_log').where({ action }).orderBy('id').select('actor', 'actor_id', 'contract_id', 'before', 'after', 'detail');

async function debt(contractId: number, amount: number) {
  await inTransaction(t.ctx.db, (trx) =>
    postEntry(trx, { contract_id: contractId, kind: 'charge', amount_kopecks: -amount, description: 'Долг', idempotency_key: `debt:${contractId}`, occurred_at: '2026-11-20T05:00:00.000Z' }),
  );
}

describe('«Принять платёж»', () => {
  it('shows the contract\'s name, address, balance and status before the cashier takes the money', async () => {
    const c = await makeContract(t.ctx, { name: 'Иванов Иван Иванович' });
    await debt(c.id, 12345);
    for (const role of ['admin', 'cashier'] as const) {
      const { agent } = await staffAgent(t, role);
      const empty = await agent.get('/admin/cash-desk');
      expect(empty.status).toBe(200);
      expect(empty.text).toContain('Номер договора');
      expect(empty.text).not.toContain('name="amount"');
      const res = await agent.get(`/admin/cash-desk?contract=${c.number}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Иванов Иван Иванович');
      expect(res.text).toContain('ул. Тестовая');
      expect(res.text).toContain(formatMoney(-12345));
      expect(res.text).toContain('Заблокирован'); // the debt took it below its limit
      expect(res.text).toContain('name="amount"');
      expect(res.text).toContain('Карта в офисе');
    }
  });

  it('answers htmx with the details fragment as the number is typed, and says when there is no such contract', async () => {
    const c = await makeContract(t.ctx, { name: 'Петров Пётр' });
    const { agent } = await staffAgent(t, 'cashier');
    const found = await agent.get(`/admin/cash-desk?contract=${c.number}`).set('HX-Request', 'true');
    expect(found.status).toBe(200);
    expect(found.headers.vary).toMatch(/HX-Request/);
    expect(found.text).not.toContain('<html');
    expect(found.text).toContain('id="cash-payment"');
    expect(found.text).toContain('Петров Пётр');
    expect(found.text).toContain('name="key"');
    const unknown = await agent.get('/admin/cash-desk?contract=999999').set('HX-Request', 'true');
    expect(unknown.status).toBe(200);
    expect(unknown.text).toContain('Договор не найден');
    expect(unknown.text).not.toContain('name="amount"');
  });

  it('refuses a number with letters and an unknown number on the find page', async () => {
    const { agent } = await staffAgent(t, 'cashier');
    const letters = await agent.get('/admin/cash-desk?contract=10O123');
    expect(letters.status).toBe(422);
    expect(letters.text).toContain('Номер договора — только цифры');
    expect(letters.text).toContain('value="10O123"');
    const unknown = await agent.get('/admin/cash-desk?contract=999999');
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Договор не найден');
  });

  it.each([
    ['cash', 'Наличные', 'Оплата наличными в офисе'],
    ['office_card', 'Карта в офисе', 'Оплата картой в офисе'],
  ])('takes a payment by %s: one ledger entry, one payment row, one audit row, the balance equal to the ledger', async (method, label, description) => {
    const c = await makeContract(t.ctx);
    const { agent, staff } = await staffAgent(t, 'cashier');
    const res = await pay(agent, c.number, { amount: '1 234,50', method, receipt: 'ЧЕК-0042' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/cash-desk\/payments\/\d+$/);

    const entries = await t.ctx.db('ledger_entries').where({ contract_id: c.id }).select('id', 'kind', 'amount_kopecks', 'description', 'idempotency_key');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'payment', amount_kopecks: 123450, description });
    const payments = await t.ctx.db('payments').where({ contract_id: c.id }).select('id', 'amount_kopecks', 'method', 'status', 'ledger_entry_id', 'receipt_number', 'staff_id', 'idempotency_key');
    expect(payments).toEqual([{ id: expect.any(Number), amount_kopecks: 123450, method, status: 'succeeded', ledger_entry_id: entries[0].id, receipt_number: 'ЧЕК-0042', staff_id: staff.id, idempotency_key: entries[0].idempotency_key }]);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 123450, ledger: 123450 });

    const [a] = await auditsOf('cash_payment');
    expect(a).toMatchObject({ actor: 'staff', actor_id: staff.id, contract_id: c.id });
    expect(JSON.parse(a.before)).toEqual({ balance_kopecks: 0, status: 'active' });
    expect(JSON.parse(a.after)).toMatchObject({ amount_kopecks: 123450, method, receipt_number: 'ЧЕК-0042', payment_id: payments[0].id });

    const shown = await agent.get(res.headers.location);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Платёж принят');
    expect(shown.text).toContain(formatMoney(123450));
    expect(shown.text).toContain(c.number);
    expect(shown.text).toContain('ЧЕК-0042');
    expect(shown.text).toContain(label);
    expect(shown.text).toContain('Принять ещё платёж');
  });

  it('takes one payment from the same form posted twice, and shows the same result the second time', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const form = await paymentForm(agent, c.number);
    const fields = { ...form, amount: '500', method: 'cash', receipt: '17' };
    const first = await agent.post('/admin/cash-desk').type('form').send(fields);
    const second = await agent.post('/admin/cash-desk').type('form').send(fields);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect((await counts())).toMatchObject({ ledger: 1, payments: 1, audits: 1 });
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 50000, ledger: 50000 });
  });

  it('takes one payment when the same form arrives twice at once', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const form = await paymentForm(agent, c.number);
    const fields = { ...form, amount: '250', method: 'office_card', receipt: '77' };
    const [a, b] = await Promise.all([1, 2].map(() => agent.post('/admin/cash-desk').type('form').send(fields)));
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(await counts()).toMatchObject({ ledger: 1, payments: 1, audits: 1 });
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 25000, ledger: 25000 });
  });

  it('takes two payments from two forms', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const a = await pay(agent, c.number, { amount: '500', method: 'cash', receipt: '1' });
    const b = await pay(agent, c.number, { amount: '500', method: 'cash', receipt: '2' });
    expect(a.headers.location).not.toBe(b.headers.location);
    expect(await counts()).toMatchObject({ ledger: 2, payments: 2, audits: 2 });
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 100000, ledger: 100000 });
  });

  it('unblocks a blocked contract whose debt the payment covers, and takes the day\'s charge as for any payment', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, status: 'blocked' }); // 10 ₽ a day in November
    await debt(c.id, 5000);
    const { agent } = await staffAgent(t, 'cashier');
    expect((await pay(agent, c.number, { amount: '100', method: 'cash', receipt: '5' })).status).toBe(303);
    expect(await contractRow(c.id)).toEqual({ status: 'active', balance_kopecks: 10000 - 5000 - 1000 });
    expect(await t.ctx.db('contract_status_changes').where({ contract_id: c.id }).select('from_status', 'to_status', 'cause')).toEqual([{ from_status: 'blocked', to_status: 'active', cause: 'payment' }]);
    expect(await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'charge' }).orderBy('id').select('period_from', 'amount_kopecks')).toEqual([
      { period_from: null, amount_kopecks: -5000 },
      { period_from: '2026-11-24', amount_kopecks: -1000 },
    ]);
    expect(await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'payment' }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(1);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 4000, ledger: 4000 });
  });

  it('takes a payment for a closed contract (its debt is paid at the office) and leaves it closed', async () => {
    const c = await makeContract(t.ctx);
    await debt(c.id, 3000);
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'closed', closed_on: '2026-11-20', closed_reason: 'Переезд' });
    const { agent } = await staffAgent(t, 'cashier');
    const page = await agent.get(`/admin/cash-desk?contract=${c.number}`);
    expect(page.text).toContain('Договор закрыт (20.11.2026). Платёж всё равно принимается');
    expect((await pay(agent, c.number, { amount: '30', method: 'cash', receipt: '9' })).status).toBe(303);
    expect(await contractRow(c.id)).toEqual({ status: 'closed', balance_kopecks: 0 });
  });

  it.each([
    ['letters in the number', { contract: '10O123' }, 'Номер договора — только цифры'],
    ['an unknown number', { contract: '999999' }, 'Договор не найден'],
    ['no amount', { amount: '' }, 'Введите сумму'],
    ['an amount in letters', { amount: 'abc' }, 'Введите сумму в рублях, например 500 или 450,50'],
    ['a zero amount', { amount: '0' }, 'Сумма должна быть больше нуля'],
    ['a negative amount', { amount: '-500' }, 'Сумма должна быть больше нуля'],
    ['an amount over the limit', { amount: '15 000,01' }, `Сумма не может быть больше ${formatMoney(1500000)}`],
    ['no receipt number', { receipt: '  ' }, 'Укажите номер чека'],
    ['a receipt number of 41 characters', { receipt: '1'.repeat(41) }, 'Номер чека — не длиннее 40 знаков'],
    ['no method', { method: '' }, 'Выберите способ оплаты'],
    ['an unknown method', { method: 'card' }, 'Выберите способ оплаты'],
    ['a form without its key', { key: '' }, 'Форма устарела'],
  ])('refuses %s with 422, keeps what was typed and writes nothing', async (_name, over, message) => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const form = await paymentForm(agent, c.number);
    const before = await counts();
    const res = await agent.post('/admin/cash-desk').type('form').send({ ...form, amount: '700,50', method: 'cash', receipt: 'R-1', ...over });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('error-summary');
    if (!('contract' in over) && !('amount' in over)) expect(res.text).toContain('value="700,50"');
    expect(await counts()).toEqual(before);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 0, ledger: 0 });
  });

  it('shows the office payments in the subscriber\'s «История платежей» with their Russian labels', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    await pay(agent, c.number, { amount: '300', method: 'cash', receipt: '1' });
    await pay(agent, c.number, { amount: '400', method: 'office_card', receipt: '2' });
    const subscriber = await signIn(t.app, c.number, c.password);
    const res = await subscriber.agent.get('/cabinet/payments');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Наличные в офисе');
    expect(res.text).toContain('Карта в офисе');
    expect(res.text).toContain(formatMoney(30000));
    expect(res.text).toContain(formatMoney(40000));
    expect(res.text).not.toMatch(/method\./);
  });
});

describe('«Корректировка»', () => {
  const path = '/admin/cash-desk/correction';

  async function check(agent: StaffAgent, fields: Record<string, string>) {
    return staffPost(agent, path, fields, `${path}?contract=${fields.contract}`);
  }
  async function confirm(agent: StaffAgent, checkPage: string, fields: Record<string, string>) {
    return agent.post(path).type('form').send({ _csrf: csrfFrom(checkPage), key: keyFrom(checkPage), confirm: '1', ...fields });
  }

  it('credits «+150» after a check page, with the reason in the ledger, a correction row and the audit', async () => {
    const c = await makeContract(t.ctx);
    await debt(c.id, 20000);
    const { agent, staff } = await staffAgent(t, 'cashier');
    const form = await agent.get(`${path}?contract=${c.number}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="reason"');
    const fields = { contract: c.number, amount: '+150', reason: 'Перерасчёт за аварию 20.11' };
    const page = await check(agent, fields);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`На баланс будет зачислено: ${formatMoney(15000)}`);
    expect(page.text).toContain(formatMoney(-5000)); // the balance after
    expect(await counts()).toMatchObject({ ledger: 1, corrections: 0 }); // the check page changes nothing

    const done = await confirm(agent, page.text, fields);
    expect(done.status).toBe(303);
    expect(done.headers.location).toMatch(/^\/admin\/cash-desk\/corrections\/\d+$/);
    const again = await confirm(agent, page.text, fields); // a double click
    expect(again.headers.location).toBe(done.headers.location);

    expect(await t.ctx.db('ledger_entries').where({ contract_id: c.id, kind: 'correction' }).select('amount_kopecks', 'description')).toEqual([
      { amount_kopecks: 15000, description: 'Корректировка: Перерасчёт за аварию 20.11' },
    ]);
    expect(await t.ctx.db('corrections').select('staff_id', 'amount_kopecks', 'reason', 'balance_before_kopecks', 'balance_after_kopecks')).toEqual([
      { staff_id: staff.id, amount_kopecks: 15000, reason: 'Перерасчёт за аварию 20.11', balance_before_kopecks: -20000, balance_after_kopecks: -5000 },
    ]);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: -5000, ledger: -5000 });
    const audits = await auditsOf('correction');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'staff', actor_id: staff.id, contract_id: c.id });
    expect(JSON.parse(audits[0].before)).toMatchObject({ balance_kopecks: -20000 });
    expect(JSON.parse(audits[0].after)).toMatchObject({ balance_kopecks: -5000, amount_kopecks: 15000 });
    expect(JSON.parse(audits[0].detail)).toEqual({ reason: 'Перерасчёт за аварию 20.11' });
    expect(await t.ctx.db('payments').count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(0); // not a payment

    const shown = await agent.get(done.headers.location);
    expect(shown.text).toContain('Корректировка проведена');
    expect(shown.text).toContain('Перерасчёт за аварию 20.11');
  });

  it('debits «-150,00» as an admin', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'admin');
    const fields = { contract: c.number, amount: '-150,00', reason: 'Ошибочное зачисление' };
    const page = await check(agent, fields);
    expect(page.text).toContain(`С баланса будет списано: ${formatMoney(15000)}`);
    expect((await confirm(agent, page.text, fields)).status).toBe(303);
    expect(await t.ctx.db('ledger_entries').where({ contract_id: c.id }).select('kind', 'amount_kopecks')).toEqual([{ kind: 'correction', amount_kopecks: -15000 }]);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: -15000, ledger: -15000 });
  });

  it.each([
    ['no reason', { reason: '   ' }, 'Укажите причину корректировки'],
    ['a reason over 300 characters', { reason: 'я'.repeat(301) }, 'Причина — не длиннее 300 знаков'],
    ['a zero amount', { amount: '0,00' }, 'Сумма корректировки не может быть нулевой'],
    ['an amount in letters', { amount: 'сто' }, 'Введите сумму в рублях со знаком'],
    ['letters in the number', { contract: '12a' }, 'Номер договора — только цифры'],
  ])('refuses %s with 422 and writes nothing, on the form and on confirming', async (_name, over, message) => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const before = await counts();
    const fields = { contract: c.number, amount: '+150', reason: 'Перерасчёт', ...over };
    const res = await check(agent, fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    const good = await check(agent, { contract: c.number, amount: '+150', reason: 'Перерасчёт' });
    const confirmed = await confirm(agent, good.text, fields);
    expect(confirmed.status).toBe(422);
    expect(confirmed.text).toContain(message);
    expect(await counts()).toEqual(before);
  });
});

describe('«Отчёт за смену»', () => {
  async function correct(agent: StaffAgent, number: string, amount: string, reason: string) {
    const fields = { contract: number, amount, reason };
    const page = await staffPost(agent, '/admin/cash-desk/correction', fields, '/admin/cash-desk/correction');
    return agent.post('/admin/cash-desk/correction').type('form').send({ _csrf: csrfFrom(page.text), key: keyFrom(page.text), confirm: '1', ...fields });
  }

  it('lists this cashier\'s payments of the day with totals by method, corrections apart, and no one else\'s', async () => {
    const c1 = await makeContract(t.ctx);
    const c2 = await makeContract(t.ctx);
    const { agent, staff } = await staffAgent(t, 'cashier', { name: 'Кассир Анна' });
    const other = await staffAgent(t, 'cashier', { name: 'Кассир Борис' });
    await pay(agent, c1.number, { amount: '500', method: 'cash', receipt: 'A-1' });
    t.clock.advance(15 * 60_000);
    await pay(agent, c2.number, { amount: '1 234,50', method: 'office_card', receipt: 'A-2' });
    await pay(agent, c2.number, { amount: '100', method: 'cash', receipt: 'A-3' });
    await pay(other.agent, c1.number, { amount: '700', method: 'cash', receipt: 'B-1' });
    await correct(agent, c1.number, '-50', 'Двойное начисление');

    const res = await agent.get('/admin/cash-desk/shift');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Отчёт за смену 24.11.2026');
    expect(res.text).toContain('Кассир Анна');
    for (const r of ['A-1', 'A-2', 'A-3']) expect(res.text).toContain(r);
    expect(res.text).not.toContain('B-1');
    expect(res.text).toContain('<td>12:00</td>');
    expect(res.text).toContain('<td>12:15</td>');
    const totals = res.text.slice(res.text.indexOf('data-testid="totals"'));
    expect(totals).toMatch(new RegExp(`Наличные</th><td>2 платежа</td><td class="num">${formatMoney(60000)}`));
    expect(totals).toMatch(new RegExp(`Карта в офисе</th><td>1 платёж</td><td class="num">${formatMoney(123450)}`));
    expect(totals).toContain(`data-testid="total"><strong>${formatMoney(183450)}</strong>`);
    expect(res.text).toContain('Корректировки (в кассу не входят)');
    expect(res.text).toContain('Двойное начисление');
    expect(res.text).toContain('data-print');
    expect(res.text).toContain('/js/print.js');

    const theirs = await other.agent.get('/admin/cash-desk/shift');
    expect(theirs.text).toContain('B-1');
    expect(theirs.text).not.toContain('A-1');
    expect(theirs.text).toContain('Корректировок нет.');
    // A cashier may not open another cashier's report; an admin may open anyone's.
    expect((await other.agent.get(`/admin/cash-desk/shift?staff=${staff.id}`)).status).toBe(403);
    const admin = await staffAgent(t, 'admin');
    const seen = await admin.agent.get(`/admin/cash-desk/shift?staff=${staff.id}&day=24.11.2026`);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain('A-2');
    expect(seen.text).not.toContain('B-1');
    expect(seen.text).toContain(`<option value="${other.staff.id}"`);
  });

  it('shows an earlier day by ?day= in the provider\'s time zone', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    t.clock.set('2026-11-23T16:30:00.000Z'); // 23:30 on 23.11 in Novokuznetsk (UTC+7)
    await pay(agent, c.number, { amount: '200', method: 'cash', receipt: 'LATE' });
    t.clock.set('2026-11-24T05:00:00.000Z');
    expect((await agent.get('/admin/cash-desk/shift')).text).not.toContain('LATE');
    const yesterday = await agent.get('/admin/cash-desk/shift?day=2026-11-23');
    expect(yesterday.status).toBe(200);
    expect(yesterday.text).toContain('Отчёт за смену 23.11.2026');
    expect(yesterday.text).toContain('LATE');
    expect(yesterday.text).toContain('<td>23:30</td>');
    const bad = await agent.get('/admin/cash-desk/shift?day=31.02.2026');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Укажите день в формате ДД.ММ.ГГГГ');
  });

  it('tells an admin when the chosen staff member does not exist', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const res = await agent.get('/admin/cash-desk/shift?staff=99999');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Выберите сотрудника из списка');
  });
});

describe('who may use the cash desk', () => {
  it.each(['support', 'content'] as const)('refuses %s every page and every POST, writes nothing, and audits the POSTs', async (role) => {
    const c = await makeContract(t.ctx);
    const cashier = await staffAgent(t, 'cashier');
    const paid = await pay(cashier.agent, c.number, { amount: '100', method: 'cash', receipt: '1' });
    const corrected = await (async () => {
      const fields = { contract: c.number, amount: '+1', reason: 'Тест' };
      const page = await staffPost(cashier.agent, '/admin/cash-desk/correction', fields, '/admin/cash-desk/correction');
      return cashier.agent.post('/admin/cash-desk/correction').type('form').send({ _csrf: csrfFrom(page.text), key: keyFrom(page.text), confirm: '1', ...fields });
    })();
    const { agent } = await staffAgent(t, role);
    const before = await counts();
    for (const path of ['/admin/cash-desk', `/admin/cash-desk?contract=${c.number}`, '/admin/cash-desk/correction', '/admin/cash-desk/shift', paid.headers.location, corrected.headers.location]) {
      const res = await agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const key = 'a'.repeat(32);
    const p = await staffPost(agent, '/admin/cash-desk', { contract: c.number, amount: '100', method: 'cash', receipt: '2', key });
    expect(p.status).toBe(403);
    const k = await staffPost(agent, '/admin/cash-desk/correction', { contract: c.number, amount: '+100', reason: 'x', key, confirm: '1' });
    expect(k.status).toBe(403);
    expect(await counts()).toEqual(before);
    const refused = await t.ctx.db('audit_log').where({ action: 'staff_forbidden' }).select('detail');
    expect(refused.map((r) => JSON.parse(r.detail).path)).toEqual(['/admin/cash-desk', '/admin/cash-desk/correction']);
  });

  it('refuses a payment and a correction without the CSRF token', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'cashier');
    const form = await paymentForm(agent, c.number);
    const before = await counts();
    const p = await agent.post('/admin/cash-desk').type('form').send({ contract: c.number, key: form.key, amount: '100', method: 'cash', receipt: '1' });
    expect(p.status).toBe(403);
    const k = await agent.post('/admin/cash-desk/correction').type('form').send({ contract: c.number, amount: '+100', reason: 'x', key: form.key, confirm: '1' });
    expect(k.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('sends a visitor who is not signed in to the console\'s sign-in page', async () => {
    const res = await (await import('supertest')).default(t.app).get('/admin/cash-desk/shift');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login\?next=/);
  });
});
