// «Оплатить» through the sandbox gateway (the default outside production): the pay page and its bad input, the
// sandbox's test page, the return page, notifications (duplicate, out of order, forged, broken), reconciliation
// and refunds. The ledger is checked after each: credited exactly once or not at all.
import request from 'supertest';
import { checkBalance } from '../../src/billing/service';
import { createSandboxGateway } from '../../src/gateway/sandbox';
import { createServices } from '../../src/services';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;

async function subscriber(over: { email?: string; phones?: string[] } = {}) {
  const c = await makeContract(t.ctx, { fee: 60000, phones: over.phones ?? ['+79131234567'] });
  if (over.email) await t.ctx.db('contracts').where({ id: c.id }).update({ email: over.email });
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

const payments = (contractId: number) => t.ctx.db('payments').where({ contract_id: contractId }).orderBy('id');
const credits = (contractId: number) => t.ctx.db('ledger_entries').where({ contract_id: contractId, kind: 'payment' });
const balance = async (contractId: number) => {
  const b = await checkBalance(t.ctx.db, contractId);
  expect(b.cached).toBe(b.ledger);
  return b.ledger;
};

async function postPay(agent: Agent, fields: Record<string, string>) {
  const page = await agent.get('/cabinet/pay');
  return agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

/** Pay page -> sandbox page: the sandbox payment's id and our row. */
async function startPayment(agent: Agent, amount = '500') {
  const res = await postPay(agent, { amount, contact: 'payer@example.ru' });
  expect(res.status).toBe(303);
  const m = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location);
  expect(m).not.toBeNull();
  return { sandboxId: m![1], location: res.headers.location as string };
}

async function sandboxAction(agent: Agent, sandboxId: string, action: string) {
  const page = await agent.get(`/sandbox/pay/${sandboxId}`);
  return agent.post(`/sandbox/pay/${sandboxId}`).type('form').send({ _csrf: csrfFrom(page.text), action });
}

/** The notification as the sandbox (and YooKassa) send it. */
async function notification(sandboxId: string, event = 'payment.succeeded') {
  const object = (await createSandboxGateway(t.ctx).getPayment(sandboxId))!;
  return { type: 'notification', event, object: { id: object.id, status: object.status, amount: object.amount } };
}

describe('the pay page', () => {
  it('suggests the next month\u2019s fee, shows the limits, prefills the receipt e-mail, and is in the cabinet\u2019s menu', async () => {
    const s = await subscriber({ email: 'abonent@example.ru' });
    const res = await s.agent.get('/cabinet/pay');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('От 10,00\u00a0₽ до 15\u00a0000,00\u00a0₽');
    expect(res.text).toContain('name="amount" type="text" value="720,00"'); // 25-30 November (6 × 20 ₽) and December (600 ₽), nothing on the balance
    expect(res.text).toContain('name="contact" type="text" value="abonent@example.ru"');
    expect(res.text).toContain('aria-current="page">Оплатить</a>');
    const dash = await s.agent.get('/cabinet');
    expect(dash.text).toContain('data-testid="pay-button"');
  });

  it('prefills the contract\u2019s phone when there is no e-mail', async () => {
    const s = await subscriber();
    expect((await s.agent.get('/cabinet/pay')).text).toContain('name="contact" type="text" value="+79131234567"');
  });

  it.each([
    ['0', 'Сумма должна быть больше нуля'],
    ['-5', 'Сумма должна быть больше нуля'],
    ['9.999', 'Введите сумму в рублях'],
    ['1e9', 'Введите сумму в рублях'],
    ['пятьсот', 'Введите сумму в рублях'],
    ['', 'Введите сумму'],
    ['5', 'Сумма должна быть не меньше 10,00'],
    ['15000,01', 'Сумма должна быть не больше 15\u00a0000,00'],
    ['999999999', 'Сумма должна быть не больше 15\u00a0000,00'],
  ])('refuses the amount "%s" with a clear message and creates nothing', async (amount, message) => {
    const s = await subscriber();
    const res = await postPay(s.agent, { amount, contact: 'payer@example.ru' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain(`value="${amount}"`);
    expect(await payments(s.id)).toHaveLength(0);
  });

  it.each(['not-an-email@', '12345', ''])('refuses the receipt contact "%s"', async (contact) => {
    const s = await subscriber();
    const res = await postPay(s.agent, { amount: '500', contact });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Введите e-mail|Укажите e-mail или телефон/);
    expect(await payments(s.id)).toHaveLength(0);
  });

  it('needs the csrf token and a signed-in subscriber', async () => {
    const s = await subscriber();
    expect((await s.agent.post('/cabinet/pay').type('form').send({ amount: '500', contact: 'a@b.ru' })).status).toBe(403);
    const anon = await request(t.app).get('/cabinet/pay');
    expect(anon.status).toBe(303);
    expect(await payments(s.id)).toHaveLength(0);
  });
});

describe('paying through the sandbox', () => {
  it('writes a pending row with the receipt before the redirect, then pay credits once and the return page shows it', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '500');
    const [row] = await payments(s.id);
    expect(row).toMatchObject({ status: 'pending', amount_kopecks: 50000, method: 'card', gateway: 'sandbox', gateway_payment_id: sandboxId, receipt_contact: 'payer@example.ru' });
    expect(JSON.parse(row.receipt)).toEqual({
      customer: { email: 'payer@example.ru' },
      items: [{ description: `Услуги связи по договору №\u00a0${s.number}`, quantity: '1.00', amount: { value: '500.00', currency: 'RUB' }, vat_code: 1, payment_mode: 'full_prepayment', payment_subject: 'service' }],
      tax_system_code: 1,
    });

    const page = await s.agent.get(`/sandbox/pay/${sandboxId}`);
    expect(page.text).toContain('Тестовая платёжная страница');
    expect(page.text).toContain('Деньги не списываются');
    expect(page.text).toContain('500,00\u00a0₽');

    const back = await sandboxAction(s.agent, sandboxId, 'pay');
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`${t.ctx.config.publicUrl}/cabinet/pay/${row.id}`);
    // the sandbox's notification reached our endpoint over HTTP before the redirect
    expect((await payments(s.id))[0].status).toBe('succeeded');

    const ret = await s.agent.get(`/cabinet/pay/${row.id}`);
    expect(ret.status).toBe(200);
    expect(ret.text).toContain('data-status="succeeded"');
    expect(ret.text).toContain('Платёж зачислен на баланс');
    expect(ret.text).not.toContain('hx-trigger="every 2s"');
    expect(ret.text).toContain(`/cabinet/receipt/${row.id}`);
    expect(await credits(s.id)).toHaveLength(1);
    expect(await balance(s.id)).toBe(50000);
    const notices = await t.ctx.db('notifications').where({ contract_id: s.id, topic: 'payments' });
    expect(notices.map((n) => n.title)).toEqual(['Платёж зачислен']);

    // the history shows method, status and the receipt
    const history = await s.agent.get('/cabinet/payments');
    expect(history.text).toContain('Банковская карта');
    expect(history.text).toContain('Зачислен');
    const receipt = await s.agent.get(`/cabinet/receipt/${row.id}`);
    expect(receipt.status).toBe(200);
    expect(receipt.text).toContain(`Услуги связи по договору №\u00a0${s.number}`);
    expect(receipt.text).toContain('payer@example.ru');
    expect(receipt.text).toContain('без НДС');
  });

  it('a notification sent again, or out of order, or the return page again, credits nothing more', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '750');
    await sandboxAction(s.agent, sandboxId, 'pay');
    const body = await notification(sandboxId);
    for (let i = 0; i < 3; i++) {
      const res = await request(t.app).post('/payments/notifications').send(body);
      expect(res.status).toBe(200);
      expect(res.body.result).toBe('final');
    }
    // a stale "canceled" after success: we trust only the gateway's answer, which says succeeded
    expect((await request(t.app).post('/payments/notifications').send(await notification(sandboxId, 'payment.canceled'))).status).toBe(200);
    const [row] = await payments(s.id);
    await s.agent.get(`/cabinet/pay/${row.id}`);
    await createServices(t.ctx).cardPayments.reconcile();
    expect(await credits(s.id)).toHaveLength(1);
    expect(await balance(s.id)).toBe(75000);
  });

  it('the notification before the subscriber returns credits; the return page then shows it without a second credit', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '300');
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded' }); // paid, the browser not back yet
    const res = await request(t.app).post('/payments/notifications').send(await notification(sandboxId));
    expect(res.body.result).toBe('credited');
    const [row] = await payments(s.id);
    expect((await s.agent.get(`/cabinet/pay/${row.id}`)).text).toContain('data-status="succeeded"');
    expect(await credits(s.id)).toHaveLength(1);
    expect(await balance(s.id)).toBe(30000);
  });

  it('the return page credits when no notification came (its own check)', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '300');
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded' });
    const [row] = await payments(s.id);
    const ret = await s.agent.get(`/cabinet/pay/${row.id}`).set('HX-Request', 'true');
    expect(ret.text).toContain('data-status="succeeded"');
    expect(ret.text).not.toContain('<html'); // the fragment for htmx
    expect(await credits(s.id)).toHaveLength(1);
  });

  it('decline: the payment is canceled, nothing credited, and the page offers to pay again', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent);
    await sandboxAction(s.agent, sandboxId, 'decline');
    const [row] = await payments(s.id);
    expect(row.status).toBe('canceled');
    const ret = await s.agent.get(`/cabinet/pay/${row.id}`);
    expect(ret.text).toContain('Платёж не прошёл. Деньги не списаны.');
    expect(ret.text).toContain('Оплатить ещё раз');
    expect(await credits(s.id)).toHaveLength(0);
    expect(await balance(s.id)).toBe(0);
  });

  it('left hanging: the return page polls with htmx (and offers a refresh without JS); reconciliation later settles it', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '200');
    expect((await sandboxAction(s.agent, sandboxId, 'leave')).status).toBe(303);
    const [row] = await payments(s.id);
    const ret = await s.agent.get(`/cabinet/pay/${row.id}`);
    expect(ret.text).toContain('data-status="pending"');
    expect(ret.text).toContain(`hx-get="/cabinet/pay/${row.id}" hx-trigger="every 2s"`);
    expect(ret.text).toContain(`href="/cabinet/pay/${row.id}">Обновить</a>`);

    const online = createServices(t.ctx).cardPayments;
    expect((await online.reconcile()).checked).toBe(0); // not 15 minutes yet
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded' }); // paid; the notification was lost
    t.clock.advance(16 * 60_000);
    expect(await online.reconcile()).toMatchObject({ checked: 1, credited: 1 });
    expect(await online.reconcile()).toMatchObject({ checked: 0 });
    expect(await credits(s.id)).toHaveLength(1);
    expect(await balance(s.id)).toBe(20000);
  });

  it('left hanging and never paid: after an hour the sandbox cancels it (as YooKassa does) and reconciliation records that', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '200');
    await sandboxAction(s.agent, sandboxId, 'leave');
    const online = createServices(t.ctx).cardPayments;
    t.clock.advance(30 * 60_000);
    expect(await online.reconcile()).toMatchObject({ checked: 1, credited: 0, canceled: 0 });
    t.clock.advance(31 * 60_000);
    expect(await online.reconcile()).toMatchObject({ checked: 1, canceled: 1 });
    expect((await payments(s.id))[0]).toMatchObject({ status: 'canceled', problem: 'expired_on_confirmation' });
    expect(await credits(s.id)).toHaveLength(0);
  });

  it('another subscriber\u2019s payment is not found', async () => {
    const a = await subscriber();
    const b = await subscriber();
    await startPayment(a.agent);
    const [row] = await payments(a.id);
    expect((await b.agent.get(`/cabinet/pay/${row.id}`)).status).toBe(404);
    expect((await b.agent.get(`/cabinet/receipt/${row.id}`)).status).toBe(404);
    expect((await b.agent.get('/cabinet/pay/abc')).status).toBe(404);
  });
});

describe('forged and broken notifications', () => {
  it('from an address outside PAYMENT_NOTIFY_FROM: 403, nothing credited', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent);
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded' });
    const res = await request(t.app).post('/payments/notifications').set('X-Forwarded-For', '203.0.113.7').send(await notification(sandboxId));
    expect(res.status).toBe(403);
    expect(await credits(s.id)).toHaveLength(0);
  });

  it('an unknown payment: 200 and ignored; a claim of success the gateway does not confirm credits nothing', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent);
    const unknown = await request(t.app).post('/payments/notifications').send({ type: 'notification', event: 'payment.succeeded', object: { id: 'sbx-00000000-no-such' } });
    expect(unknown.status).toBe(200);
    expect(unknown.body.result).toBe('unknown');
    // the body says succeeded with a big amount; the sandbox's API says pending
    const forged = await request(t.app).post('/payments/notifications').send({ type: 'notification', event: 'payment.succeeded', object: { id: sandboxId, status: 'succeeded', amount: { value: '99999.00', currency: 'RUB' } } });
    expect(forged.status).toBe(200);
    expect(forged.body.result).toBe('pending');
    expect(await credits(s.id)).toHaveLength(0);
  });

  it('a broken, wrongly shaped or huge body gets a 4xx', async () => {
    const post = () => request(t.app).post('/payments/notifications').set('Content-Type', 'application/json');
    expect((await post().send('{"type": "notification", "event": ')).status).toBe(400);
    expect((await post().send({ type: 'notification', event: 'payment.succeeded', object: { id: '../../etc' } })).status).toBe(400);
    expect((await post().send({ hello: 'world' })).status).toBe(400);
    expect((await post().send(JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: 'x', pad: 'a'.repeat(200_000) } }))).status).toBe(413);
    expect((await post().send('')).status).toBe(400);
  });

  it('a refund notification is acknowledged and changes nothing', async () => {
    const res = await request(t.app).post('/payments/notifications').send({ type: 'notification', event: 'refund.succeeded', object: { id: 'sbr-1' } });
    expect(res.status).toBe(200);
  });
});

describe('the sandbox gateway', () => {
  it('refuses a return URL pointing outside the portal, and never redirects there', async () => {
    const s = await subscriber();
    const gw = createSandboxGateway(t.ctx);
    const receipt = { customer: { email: 'a@b.ru' }, items: [], tax_system_code: 1 };
    await expect(gw.createPayment({ amountKopecks: 100, description: 'x', receipt, returnUrl: 'https://evil.example/cabinet', idempotenceKey: 'k1', metadata: {} })).rejects.toMatchObject({ kind: 'refused' });
    const { sandboxId } = await startPayment(s.agent);
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ return_url: 'https://evil.example/steal' });
    expect((await s.agent.get(`/sandbox/pay/${sandboxId}`)).status).toBe(400);
    const page = await s.agent.get('/cabinet/pay');
    const res = await s.agent.post(`/sandbox/pay/${sandboxId}`).type('form').send({ _csrf: csrfFrom(page.text), action: 'pay' });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(await credits(s.id)).toHaveLength(0);
  });

  it('an unknown action or payment is a 4xx', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent);
    expect((await sandboxAction(s.agent, sandboxId, 'steal')).status).toBe(400);
    expect((await s.agent.get('/sandbox/pay/sbx-nope')).status).toBe(404);
  });
});

describe('refunds (staff, through the CLI\u2019s service)', () => {
  it('a partial then the rest: one refund entry each, the history shows them, a repeat is refused', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '1000');
    await sandboxAction(s.agent, sandboxId, 'pay');
    const [row] = await payments(s.id);
    const online = createServices(t.ctx).cardPayments;
    expect(await online.refund(row.id, 30000)).toMatchObject({ amount: 30000, created: true });
    expect((await payments(s.id))[0]).toMatchObject({ status: 'succeeded', refunded_kopecks: 30000 });
    expect((await s.agent.get('/cabinet/payments')).text).toContain('возвращено 300,00\u00a0₽');
    expect(await online.refund(row.id)).toMatchObject({ amount: 70000, created: true });
    expect((await payments(s.id))[0]).toMatchObject({ status: 'refunded', refunded_kopecks: 100000 });
    expect((await s.agent.get('/cabinet/payments')).text).toContain('Возвращён');
    expect(await failureOfRefund(online.refund(row.id, 100))).toContain('must be from');
    const refunds = await t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'refund' }).orderBy('id');
    expect(refunds.map((e) => e.amount_kopecks)).toEqual([-30000, -70000]);
    expect(await balance(s.id)).toBe(0);
  });

  it('refuses more than was paid, and a payment that is not a succeeded card payment', async () => {
    const s = await subscriber();
    const { sandboxId } = await startPayment(s.agent, '100');
    const [row] = await payments(s.id);
    const online = createServices(t.ctx).cardPayments;
    expect(await failureOfRefund(online.refund(row.id))).toContain('only a succeeded payment');
    await sandboxAction(s.agent, sandboxId, 'pay');
    expect(await failureOfRefund(online.refund(row.id, 10001))).toContain('must be from');
    expect(await t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'refund' })).toHaveLength(0);
  });
});

function failureOfRefund(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'no error', (err: unknown) => String(err));
}
