// Issue 9, point 19: the sandbox gateway's payment page shows a payment only to the session of the contract that
// started it; another contract's session, or none, gets 404 «не найден» and cannot pay or decline it.
import request from 'supertest';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(() => t.close());

async function startPayment() {
  const c = await makeContract(t.ctx, { fee: 60000 });
  const { agent } = await signIn(t.app, c.number, c.password);
  const page = await agent.get('/cabinet/pay');
  const res = await agent.post('/cabinet/pay').type('form').send({ _csrf: csrfFrom(page.text), amount: '500', contact: 'payer@example.ru' });
  expect(res.status).toBe(303);
  const location = res.headers.location as string;
  expect(location).toMatch(/\/sandbox\/pay\/sbx-[\w-]+$/);
  return { agent, url: new URL(location, 'http://x').pathname };
}

describe('the sandbox payment page', () => {
  it('shows the payment to the session of the contract that started it', async () => {
    const { agent, url } = await startPayment();
    const page = await agent.get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('500,00');
  });

  it('answers 404 «не найден» without a session, and to another contract\u2019s session, which cannot pay it either', async () => {
    const { url } = await startPayment();
    const stranger = await request(t.app).get(url);
    expect(stranger.status).toBe(404);
    expect(stranger.text).toContain('Платёж не найден');
    expect(stranger.text).not.toContain('500,00');

    const other = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, other.number, other.password);
    const seen = await agent.get(url);
    expect(seen.status).toBe(404);
    expect(seen.text).toContain('Платёж не найден');
    const token = csrfFrom((await agent.get('/cabinet')).text);
    expect((await agent.post(url).type('form').send({ _csrf: token, action: 'pay' })).status).toBe(404);
    expect(await t.ctx.db('sandbox_payments').pluck('status')).toEqual(['pending']);
  });
});
