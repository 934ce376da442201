// Card payments and autopayment with many requests at once, as several app processes on PostgreSQL would send them:
// whatever the engine, a payment is credited once and an autopayment try is started once. Nothing here depends on
// SQLite's single writer (the same file runs on PostgreSQL).
import request from 'supertest';
import { checkBalance, postEntry } from '../../src/billing/service';
import { inTransaction } from '../../src/db';
import { createServices } from '../../src/services';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(() => t.close());

const count = async (q: PromiseLike<{ n: number | string }[]>) => Number((await q)[0].n);

async function subscriber() {
  const c = await makeContract(t.ctx, { fee: 60000 });
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

/** The pay form posted: our pending row and the sandbox payment it goes to. */
async function startPayment(agent: ReturnType<typeof request.agent>, amount: string) {
  const page = await agent.get('/cabinet/pay');
  const res = await agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(page.text), amount, contact: 'payer@example.ru' });
  expect(res.status).toBe(303);
  return /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location)![1];
}

describe('many at once', () => {
  it('20 identical payment notifications for one payment at once credit the ledger exactly once', async () => {
    const s = await subscriber();
    const sandboxId = await startPayment(s.agent, '500');
    // Paid at the gateway; its own notification is left out, so the 20 below are the only ones.
    await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded', updated_at: t.clock.now().toISOString() });
    const body = { type: 'notification', event: 'payment.succeeded', object: { id: sandboxId, status: 'succeeded', amount: { value: '500.00', currency: 'RUB' } } };

    const answers = await Promise.all(Array.from({ length: 20 }, () => request(t.app).post('/payments/notifications').send(body)));

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const results = answers.map((r) => (r.body as { result: string }).result);
    expect(results.filter((r) => r === 'credited')).toHaveLength(1);
    expect(results.filter((r) => r !== 'credited' && r !== 'final')).toEqual([]);
    expect(await count(t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'payment' }).count({ n: '*' }))).toBe(1);
    expect(await t.ctx.db('payments').where({ contract_id: s.id })).toMatchObject([{ status: 'succeeded', amount_kopecks: 50000 }]);
    const b = await checkBalance(t.ctx.db, s.id);
    expect(b).toEqual({ cached: 50000, ledger: 50000 });
    expect(await count(t.ctx.db('notifications').where({ contract_id: s.id, title: 'Платёж зачислен' }).count({ n: '*' }))).toBe(1);
  });

  it('two schedulers running autopayment at once start one try and credit it once', async () => {
    const s = await subscriber();
    // autopayment on by a first payment of 500 ₽ paid on the sandbox page
    const page = await s.agent.get('/cabinet/autopay');
    const res = await s.agent.post('/cabinet/autopay').type('form').send({ _csrf: csrfFrom(page.text), accept: '1', contact: 'payer@example.ru', rule: 'threshold', amount: '500', threshold: '100' });
    const id = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location)![1];
    const sandboxPage = await s.agent.get(`/sandbox/pay/${id}`);
    await s.agent.post(`/sandbox/pay/${id}`).type('form').send({ _csrf: csrfFrom(sandboxPage.text), action: 'pay' });
    expect(await t.ctx.db('autopay').where({ contract_id: s.id }).first()).toMatchObject({ status: 'active' });
    // charged 450 ₽: the balance (50 ₽) falls below the threshold (100 ₽)
    await inTransaction(t.ctx.db, (trx) => postEntry(trx, { contract_id: s.id, kind: 'charge', amount_kopecks: -45000, description: 'test', idempotency_key: 'test:charge', occurred_at: t.clock.now().toISOString() }));

    // two processes: each its own services (as each process builds its own)
    const [a, b] = await Promise.all([createServices(t.ctx).autopay.run(), createServices(t.ctx).autopay.run()]);

    expect(a.created + b.created).toBe(1);
    const tries = await t.ctx.db('payments').where({ contract_id: s.id, method: 'autopay' });
    expect(tries).toMatchObject([{ status: 'succeeded', amount_kopecks: 50000 }]);
    expect(await t.ctx.db('autopay_charges').where({ contract_id: s.id })).toMatchObject([{ status: 'succeeded', attempts: 0, payment_id: tries[0].id }]);
    expect(await count(t.ctx.db('ledger_entries').where({ contract_id: s.id, kind: 'payment', description: 'Автоплатёж банковской картой' }).count({ n: '*' }))).toBe(1);
    expect(await checkBalance(t.ctx.db, s.id)).toEqual({ cached: 55000, ledger: 55000 });
  });
});
