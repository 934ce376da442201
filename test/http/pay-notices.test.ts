// Card payments (issue 4) tell the subscriber through notify() (issue 5): the notice reaches the cabinet and, by the
// subscriber's choice, the outbox; a notification sent again tells nobody twice.
import request from 'supertest';
import { createSandboxGateway } from '../../src/gateway/sandbox';
import { saveGrid, subscriptionGrid } from '../../src/notifications/subscriptions';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(() => t.close());

async function paid(amount: string) {
  const c = await makeContract(t.ctx, { fee: 60000, phones: ['+79131234567'] });
  await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'abonent@example.ru' });
  const { agent } = await signIn(t.app, c.number, c.password);
  const page = await agent.get('/cabinet/pay');
  const res = await agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(page.text), amount, contact: 'abonent@example.ru' });
  const sandboxId = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location)![1];
  await t.ctx.db('sandbox_payments').where({ id: sandboxId }).update({ status: 'succeeded' });
  const object = (await createSandboxGateway(t.ctx).getPayment(sandboxId))!;
  const body = { type: 'notification', event: 'payment.succeeded', object: { id: object.id, status: object.status, amount: object.amount } };
  return { c, body };
}

const notify = (body: object) => request(t.app).post('/payments/notifications').send(body);

describe('a card payment tells the subscriber', () => {
  it('in the cabinet and by e-mail (the default for payments), with one-click unsubscribe, once however often the gateway repeats', async () => {
    const { c, body } = await paid('500');
    expect((await notify(body)).body.result).toBe('credited');
    expect((await notify(body)).body.result).toBe('final');

    const notices = await t.ctx.db('notifications').where({ contract_id: c.id, topic: 'payments' });
    expect(notices).toHaveLength(1);
    expect(notices[0].title).toBe('Платёж зачислен');
    const out = await t.ctx.db('outbox').where({ contract_id: c.id, topic: 'payments' });
    expect(out.map((m) => [m.channel, m.recipient])).toEqual([['email', 'abonent@example.ru']]);
    expect(out[0].body).toContain('500,00');
    expect(JSON.parse(out[0].headers)).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });

  it('by SMS too when the subscriber asked for it, and not by e-mail when they turned it off', async () => {
    const { c, body } = await paid('300');
    const grid = await subscriptionGrid(t.ctx.db, c.id);
    grid.payments = { sms: true, email: false, cabinet: true };
    await saveGrid(t.ctx, c.id, grid);
    expect((await notify(body)).body.result).toBe('credited');
    const out = await t.ctx.db('outbox').where({ contract_id: c.id, topic: 'payments' });
    expect(out.map((m) => [m.channel, m.recipient])).toEqual([['sms', '+79131234567']]);
  });
});
