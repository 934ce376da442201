// The YooKassa provider against a fake YooKassa of ours on 127.0.0.1 (test/support/fakeYooKassa.ts), which checks
// the Basic auth, the Idempotence-Key and the body. Notifications are believed only from YooKassa's published
// addresses (behind our loopback proxy: X-Forwarded-For), and even then the payment is fetched from the API.
import request from 'supertest';
import type { AutopayInput } from '../../src/autopay/forms';
import { checkBalance } from '../../src/billing/service';
import { createYooKassa } from '../../src/gateway/yookassa';
import { createServices } from '../../src/services';
import { csrfFrom, failureOf, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { startFakeYooKassa, type FakeYooKassa } from '../support/fakeYooKassa';

let t: TestApp;
let yk: FakeYooKassa;
const YOOKASSA_IP = '185.71.76.10';

beforeEach(async () => {
  yk = await startFakeYooKassa({ hangMs: 1500 });
  t = await makeTestApp({
    PAYMENT_GATEWAY: 'yookassa', YOOKASSA_SHOP_ID: yk.shopId, YOOKASSA_SECRET_KEY: yk.secretKey, YOOKASSA_API_URL: yk.url,
    TRUST_PROXY: 'loopback', GATEWAY_TIMEOUT_MS: '500', RECEIPT_VAT_CODE: '4', RECEIPT_TAX_SYSTEM_CODE: '2', PUBLIC_URL: 'https://lk.example.ru',
  });
});
afterEach(async () => {
  await t.close();
  await yk.close();
});

type Agent = ReturnType<typeof request.agent>;
const payments = (contractId: number) => t.ctx.db('payments').where({ contract_id: contractId }).orderBy('id');
const credits = (contractId: number) => t.ctx.db('ledger_entries').where({ contract_id: contractId, kind: 'payment' });

async function subscriber() {
  const c = await makeContract(t.ctx, { fee: 60000, phones: ['+79131234567'] });
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}
async function postPay(agent: Agent, amount = '500', contact = '8 913 123-45-67') {
  const page = await agent.get('/cabinet/pay');
  return agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(page.text), amount, contact });
}
const notify = (id: string, from = YOOKASSA_IP, event = 'payment.succeeded') =>
  request(t.app).post('/payments/notifications').set('X-Forwarded-For', from).send({ type: 'notification', event, object: { id, status: 'succeeded' } });

describe('YooKassa: creating the payment', () => {
  it('sends the documented body with auth, Idempotence-Key, return URL and the 54-FZ receipt, then redirects to the confirmation URL', async () => {
    const s = await subscriber();
    const res = await postPay(s.agent);
    expect(res.status).toBe(303);
    const [row] = await payments(s.id);
    const created = yk.requests.find((r) => r.method === 'POST' && r.path === '/payments')!;
    expect(res.headers.location).toBe(yk.payments.get(row.gateway_payment_id)!.confirmation!.confirmation_url);
    expect(created.headers.authorization).toBe(`Basic ${Buffer.from(`${yk.shopId}:${yk.secretKey}`).toString('base64')}`);
    expect(created.headers['idempotence-key']).toBe(row.idempotency_key);
    expect(created.body).toEqual({
      amount: { value: '500.00', currency: 'RUB' },
      capture: true,
      description: `Оплата услуг связи по договору №\u00a0${s.number}`,
      metadata: { payment_id: String(row.id), contract: s.number },
      confirmation: { type: 'redirect', return_url: `https://lk.example.ru/cabinet/pay/${row.id}` },
      receipt: {
        customer: { phone: '79131234567' },
        items: [{ description: `Услуги связи по договору №\u00a0${s.number}`, quantity: '1.00', amount: { value: '500.00', currency: 'RUB' }, vat_code: 4, payment_mode: 'full_prepayment', payment_subject: 'service' }],
        tax_system_code: 2,
      },
    });
    expect(row).toMatchObject({ status: 'pending', gateway: 'yookassa' });
  });

  it('the pages whose form leads to YooKassa allow its origin in CSP form-action (the 303 to yoomoney.ru is checked against it)', async () => {
    const s = await subscriber();
    for (const path of ['/cabinet/pay', '/cabinet/autopay']) {
      const csp = (await s.agent.get(path)).headers['content-security-policy'];
      expect(csp).toContain("form-action 'self' https://yoomoney.ru https://*.yoomoney.ru");
    }
    expect((await s.agent.get('/cabinet')).headers['content-security-policy']).toContain("form-action 'self';");
  });

  it('wrong credentials: the fake answers 401 and the provider reports it as refused', async () => {
    const gw = createYooKassa({ ...t.ctx.config.payments, yookassa: { ...t.ctx.config.payments.yookassa, secretKey: 'wrong-secret' } });
    expect(await failureOf(gw.getPayment('2f00'))).toMatch(/GatewayError.*401/);
  });

  it('a timeout on create: a clear message, nothing credited; reconciliation asks again with the same Idempotence-Key and settles it', async () => {
    const s = await subscriber();
    yk.failNext('hang'); // the payment is created at the gateway, the answer comes too late
    const res = await postPay(s.agent, '400');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Платёжная система сейчас не отвечает. Деньги не списаны.');
    expect(res.text).toContain('value="400"');
    const [row] = await payments(s.id);
    expect(row).toMatchObject({ status: 'pending', gateway_payment_id: null });
    expect(await credits(s.id)).toHaveLength(0);
    const [gatewayId] = [...yk.payments.keys()];
    yk.succeed(gatewayId); // the subscriber could not pay it, but say the gateway settled it anyway

    t.clock.advance(16 * 60_000);
    const online = createServices(t.ctx).cardPayments;
    expect(await online.reconcile()).toMatchObject({ checked: 1, credited: 1 });
    const creates = yk.requests.filter((r) => r.method === 'POST' && r.path === '/payments');
    expect(creates).toHaveLength(2);
    expect(creates[1].headers['idempotence-key']).toBe(creates[0].headers['idempotence-key']);
    expect(yk.payments.size).toBe(1); // the same payment, not a second one
    expect((await payments(s.id))[0]).toMatchObject({ status: 'succeeded', gateway_payment_id: gatewayId });
    expect(await credits(s.id)).toHaveLength(1);
    await online.reconcile();
    expect(await credits(s.id)).toHaveLength(1);
  });

  it('a 500 on create: a clear message, nothing credited; the pending row is settled later', async () => {
    const s = await subscriber();
    yk.failNext('500');
    const res = await postPay(s.agent, '250');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Деньги не списаны');
    expect(await credits(s.id)).toHaveLength(0);
    t.clock.advance(16 * 60_000);
    const online = createServices(t.ctx).cardPayments;
    await online.reconcile(); // created now (same key), pending at the gateway
    const [row] = await payments(s.id);
    expect(row.gateway_payment_id).toBeTruthy();
    yk.cancel(row.gateway_payment_id, 'expired_on_confirmation');
    expect(await online.reconcile()).toMatchObject({ canceled: 1 });
    expect((await payments(s.id))[0].status).toBe('canceled');
    expect(await credits(s.id)).toHaveLength(0);
  });
});

describe('YooKassa: notifications', () => {
  it('from YooKassa\u2019s address: fetched from the API and credited once, however often it comes', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id);
    const first = await notify(row.gateway_payment_id);
    expect(first.status).toBe(200);
    expect(first.body.result).toBe('credited');
    expect(yk.requests.some((r) => r.method === 'GET' && r.path === `/payments/${row.gateway_payment_id}`)).toBe(true);
    for (const ip of [YOOKASSA_IP, '77.75.156.11', '2a02:5180::1']) expect((await notify(row.gateway_payment_id, ip)).body.result).toBe('final');
    expect(await credits(s.id)).toHaveLength(1);
    expect((await payments(s.id))[0]).toMatchObject({ status: 'succeeded', card_mask: 'MasterCard •••• 4444' });
    expect(await checkBalance(t.ctx.db, s.id)).toEqual({ cached: 50000, ledger: 50000 });
  });

  it('from any other address: 403 and nothing credited (the return page\u2019s own check credits later)', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id);
    for (const ip of ['8.8.8.8', '185.71.78.1', '127.0.0.1', '::1']) expect((await notify(row.gateway_payment_id, ip)).status).toBe(403);
    expect(await credits(s.id)).toHaveLength(0);
    expect((await s.agent.get(`/cabinet/pay/${row.id}`)).text).toContain('data-status="succeeded"');
    expect(await credits(s.id)).toHaveLength(1);
  });

  it('an amount that does not match our row: nothing credited, the row flagged, the page says so', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id, { amount: { value: '5.00', currency: 'RUB' } });
    expect((await notify(row.gateway_payment_id)).body.result).toBe('mismatch');
    expect(await credits(s.id)).toHaveLength(0);
    expect((await payments(s.id))[0]).toMatchObject({ status: 'pending', problem: 'amount_mismatch' });
    expect((await s.agent.get(`/cabinet/pay/${row.id}`)).text).toContain('не совпала с платежом');
  });

  it('a currency that does not match: nothing credited', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id, { amount: { value: '500.00', currency: 'USD' } });
    expect((await notify(row.gateway_payment_id)).body.result).toBe('mismatch');
    expect(await credits(s.id)).toHaveLength(0);
  });

  it('an id YooKassa does not know: 200 and ignored', async () => {
    const res = await notify('2f000000-000f-5000-9000-000000000000');
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('unknown');
  });

  it('YooKassa cannot be asked: 503, so that it sends the notification again', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    await yk.close();
    expect((await notify(row.gateway_payment_id)).status).toBe(503);
    expect(await credits(s.id)).toHaveLength(0);
    yk = await startFakeYooKassa(); // for afterEach
  });

  it('refunds through the API, once per refund', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id);
    await notify(row.gateway_payment_id);
    const online = createServices(t.ctx).cardPayments;
    expect(await online.refund(row.id, 20000)).toMatchObject({ created: true, amount: 20000 });
    const refund = yk.requests.find((r) => r.path === '/refunds')!;
    expect(refund.headers['idempotence-key']).toBe(`refund:${row.id}:0:20000`);
    expect(refund.body).toMatchObject({ payment_id: row.gateway_payment_id, amount: { value: '200.00', currency: 'RUB' } });
    expect(await t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'refund' }).pluck('amount_kopecks')).toEqual([-20000]);
    expect(await checkBalance(t.ctx.db, s.id)).toEqual({ cached: 30000, ledger: 30000 });
  });
});

describe('YooKassa: reconciliation sends the very same request', () => {
  const creates = () => yk.requests.filter((r) => r.method === 'POST' && r.path === '/payments');
  const autopayService = () => createServices(t.ctx).autopay;
  async function activeAutopay(contractId: number, card = 'pm-saved-1') {
    const at = t.clock.now().toISOString();
    await t.ctx.db('autopay').insert({
      contract_id: contractId, status: 'active', rule: 'threshold', amount_kopecks: 50000, threshold_kopecks: 10000, day: null, gateway: 'yookassa',
      payment_method_id: card, card_mask: 'MasterCard •••• 1111', terms_version: 'v1', terms_text: 'terms', terms_accepted_at: at, created_at: at, updated_at: at,
    });
  }

  it('the fake answers 400 to the same Idempotence-Key with another body, as YooKassa does', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const first = creates()[0];
    const res = await fetch(`${yk.url}/payments`, {
      method: 'POST', body: JSON.stringify({ ...(first.body as object), save_payment_method: true }),
      headers: { Authorization: String(first.headers.authorization), 'Content-Type': 'application/json', 'Idempotence-Key': String(first.headers['idempotence-key']) },
    });
    expect(res.status).toBe(400);
  });

  it('a first autopayment payment that timed out: created again with save_payment_method, credited, autopayment on', async () => {
    const s = await subscriber();
    yk.failNext('hang');
    const r = await autopayService().save(s.id, { accept: '1', contact: 'payer@example.ru', rule: 'threshold', amount: 50000, threshold: 100 } as AutopayInput);
    expect(r).toMatchObject({ kind: 'gateway_down', reason: 'timeout' });
    const [gatewayId] = [...yk.payments.keys()];
    yk.succeed(gatewayId, { payment_method: { type: 'bank_card', id: 'pm-saved-9', saved: true, card: { last4: '1111', card_type: 'MasterCard' } } });
    t.clock.advance(16 * 60_000);
    expect(await createServices(t.ctx).cardPayments.reconcile()).toMatchObject({ checked: 1, credited: 1, failed: 0 });
    expect(creates()).toHaveLength(2);
    expect(creates()[0].body).toMatchObject({ save_payment_method: true });
    expect(creates()[1].body).toEqual(creates()[0].body);
    expect(await t.ctx.db('autopay').where({ contract_id: s.id }).first()).toMatchObject({ status: 'active', payment_method_id: 'pm-saved-9' });
  });

  it('an autopayment charge that timed out: created again with the card it was meant for, credited once', async () => {
    const s = await subscriber();
    await activeAutopay(s.id);
    yk.failNext('hang');
    await autopayService().run();
    const [row] = await payments(s.id);
    expect(row).toMatchObject({ method: 'autopay', status: 'pending', gateway_payment_id: null, payment_method_id: 'pm-saved-1' });
    t.clock.advance(16 * 60_000);
    expect(await createServices(t.ctx).cardPayments.reconcile()).toMatchObject({ checked: 1, credited: 1, failed: 0 });
    expect(creates()).toHaveLength(2);
    expect(creates()[0].body).toMatchObject({ payment_method_id: 'pm-saved-1' });
    expect(creates()[1].body).toEqual(creates()[0].body);
    expect(yk.payments.size).toBe(1);
    expect(await credits(s.id)).toHaveLength(1);
  });

  it.each([
    ['turned off', () => ({ status: 'off', off_reason: 'subscriber' }), null],
    ['given another card', () => ({ payment_method_id: 'pm-saved-2' }), 'pm-saved-2'],
  ])('an autopayment charge that timed out, autopayment %s meanwhile: canceled (autopay_off), not created again', async (_what, change, nextCard) => {
    const s = await subscriber();
    await activeAutopay(s.id);
    yk.failNext('hang');
    await autopayService().run();
    await t.ctx.db('autopay').where({ contract_id: s.id }).update(change());
    t.clock.advance(16 * 60_000);
    expect(await createServices(t.ctx).cardPayments.reconcile()).toMatchObject({ checked: 1, canceled: 1 });
    expect(creates()).toHaveLength(1);
    expect((await payments(s.id))[0]).toMatchObject({ status: 'canceled', problem: 'autopay_off' });
    expect(await credits(s.id)).toHaveLength(0);
    // the next tick: with the card of now (a new try, new key), or nothing when autopayment is off; no «не прошёл» notice
    await autopayService().run();
    expect(creates().slice(1).map((r) => (r.body as { payment_method_id: string }).payment_method_id)).toEqual(nextCard ? [nextCard] : []);
    expect(await t.ctx.db('notifications').where({ contract_id: s.id }).pluck('title')).not.toContain('Автоплатёж не прошёл');
  });

  it('a create refused (4xx) on reconciliation: the row is canceled and leaves the batch', async () => {
    const s = await subscriber();
    yk.failNext('500');
    await postPay(s.agent, '250');
    t.clock.advance(16 * 60_000);
    yk.failNext('400');
    const online = createServices(t.ctx).cardPayments;
    expect(await online.reconcile()).toMatchObject({ checked: 1, canceled: 1, failed: 0 });
    expect((await payments(s.id))[0]).toMatchObject({ status: 'canceled', problem: 'gateway_refused' });
    expect(await online.reconcile()).toMatchObject({ checked: 0 });
  });

  it('429 on create is «unavailable», not a refusal: the row stays pending and reconciliation creates it with the same key', async () => {
    const s = await subscriber();
    yk.failNext('429');
    const res = await postPay(s.agent, '300');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Платёжная система сейчас не отвечает');
    expect((await payments(s.id))[0]).toMatchObject({ status: 'pending', problem: null });
    t.clock.advance(16 * 60_000);
    yk.failNext('429');
    const online = createServices(t.ctx).cardPayments;
    expect(await online.reconcile()).toMatchObject({ checked: 1, failed: 1, canceled: 0 }); // 429 again: the next run tries
    expect(await online.reconcile()).toMatchObject({ checked: 1, failed: 0 });
    const [row] = await payments(s.id);
    expect(row).toMatchObject({ status: 'pending', problem: null });
    expect(row.gateway_payment_id).toBeTruthy();
    expect(yk.payments.size).toBe(1);
  });

  it('two refunds at once: refunded_kopecks is the sum of both', async () => {
    const s = await subscriber();
    await postPay(s.agent, '500');
    const [row] = await payments(s.id);
    yk.succeed(row.gateway_payment_id);
    await notify(row.gateway_payment_id);
    const online = createServices(t.ctx).cardPayments;
    await Promise.all([online.refund(row.id, 10000), online.refund(row.id, 20000)]);
    expect((await payments(s.id))[0]).toMatchObject({ refunded_kopecks: 30000, status: 'succeeded' });
    expect(await checkBalance(t.ctx.db, s.id)).toEqual({ cached: 20000, ledger: 20000 });
  });
});
