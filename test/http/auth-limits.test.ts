// Issue 9, points 7 and 8: password guessing is limited per contract and client network, so a stranger cannot
// lock the owner out; an IPv6 client counts by its /64 in every per-client limit. The client's address comes from
// X-Forwarded-For (TRUST_PROXY=true is allowed in tests, refused in production).
import request from 'supertest';
import { csrfFrom, makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
afterEach(() => t?.close());

const app = (env: Record<string, string> = {}) =>
  makeTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3', LOGIN_MAX_FAILS_PER_CONTRACT: '5', ...env }).then((x) => (t = x));

/** A sign-in from one client address, the way a browser sends it (form page, then the form). */
async function loginFrom(ip: string, contract: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login').set('X-Forwarded-For', ip);
  return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrfFrom(page.text), contract, password });
}

describe('sign-in limits a stranger cannot turn against the owner', () => {
  it('refuses one network after N wrong passwords on a contract, even the right password from it, and tells it when to retry', async () => {
    await app();
    const c = await makeContract(t.ctx);
    for (let i = 0; i < 3; i++) expect((await loginFrom('203.0.113.7', c.number, 'нет')).status).toBe(401);
    const refused = await loginFrom('203.0.113.7', c.number, c.password);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.text).toContain('Слишком много неудачных попыток входа');
  });

  it('lets the owner in with the right password from a clean network while an attack on the contract runs', async () => {
    await app();
    const c = await makeContract(t.ctx);
    // the old rule: 10 failures from anywhere locked the contract for everyone for 15 minutes
    for (let n = 0; n < 4; n++) for (let i = 0; i < 4; i++) await loginFrom(`198.51.100.${n + 1}`, c.number, 'нет');
    const owner = await loginFrom('192.0.2.50', c.number, c.password);
    expect(owner.status).toBe(303);
    expect(owner.headers.location).toBe('/cabinet');
    expect(await t.ctx.db('audit_log').where({ action: 'login', contract_id: c.id })).toHaveLength(1);
  });

  it('slows an attack from many networks: past the contract\u2019s limit a network that failed must wait, each new one gets one guess', async () => {
    await app();
    const c = await makeContract(t.ctx);
    // five networks, one wrong password each: the contract's limit (5) is reached, no network's own limit (3) is
    for (let n = 1; n <= 5; n++) expect((await loginFrom(`198.51.100.${n}`, c.number, 'нет')).status).toBe(401);
    // a network that already failed on this contract now waits, whatever it sends
    for (let n = 1; n <= 5; n++) {
      const again = await loginFrom(`198.51.100.${n}`, c.number, n === 5 ? c.password : 'нет');
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    }
    // a fresh network gets its one guess; after a failure it waits too
    expect((await loginFrom('198.51.100.77', c.number, 'нет')).status).toBe(401);
    expect((await loginFrom('198.51.100.77', c.number, 'нет')).status).toBe(429);
    // the owner, from a network with no failures, is never refused
    expect((await loginFrom('192.0.2.50', c.number, c.password)).status).toBe(303);
    // only the guesses that were allowed were checked
    expect(await t.ctx.db('audit_log').where({ action: 'login_failed' })).toHaveLength(6);
    // after the window the networks may try again
    t.clock.advance(15 * 60_000 + 1000);
  });

  it('counts the contacts page\u2019s password check on the same counters: an attacker\u2019s network does not stop the owner there either', async () => {
    await app({ LOGIN_MAX_FAILS_PER_CONTRACT: '2' });
    const c = await makeContract(t.ctx);
    for (let n = 1; n <= 3; n++) await loginFrom(`198.51.100.${n}`, c.number, 'нет');
    const agent = request.agent(t.app);
    const page = await agent.get('/login').set('X-Forwarded-For', '192.0.2.50');
    expect((await agent.post('/login').set('X-Forwarded-For', '192.0.2.50').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password })).status).toBe(303);
    const reauth = async (password: string) => {
      const contacts = await agent.get('/cabinet/profile/contacts').set('X-Forwarded-For', '192.0.2.50');
      return agent.post('/cabinet/profile/contacts/reauth').set('X-Forwarded-For', '192.0.2.50').type('form').send({ _csrf: csrfFrom(contacts.text), password });
    };
    expect((await reauth(c.password)).status).toBe(303);
    // a wrong one there counts for this network: it now waits too, as on the sign-in page
    expect((await reauth('нет')).status).toBe(401);
    expect((await reauth(c.password)).status).toBe(429);
  });
});

describe('IPv6 clients count by their /64', () => {
  it('refuses the 21st «Найти» from another address of the same /64 (limit 20)', async () => {
    await app();
    const agent = request.agent(t.app);
    const page = await agent.get('/recover');
    const find = (ip: string, i: number) => agent.post('/recover').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrfFrom(page.text), contract: String(300000 + i) });
    for (let i = 1; i <= 20; i++) expect((await find(`2001:db8:1:2::${i.toString(16)}`, i)).status).toBe(200);
    const other = await find('2001:db8:1:2:ffff:ffff:ffff:fffe', 21);
    expect(other.status).toBe(429);
    // another /64 is another network
    expect((await find('2001:db8:1:3::1', 22)).status).toBe(200);
  });

  it('counts sign-in failures from one /64 together, and an IPv4-mapped address as the IPv4 address', async () => {
    await app();
    const c = await makeContract(t.ctx);
    for (let i = 1; i <= 3; i++) expect((await loginFrom(`2001:db8:aa:bb::${i}`, c.number, 'нет')).status).toBe(401);
    expect((await loginFrom('2001:db8:aa:bb:1234::9', c.number, c.password)).status).toBe(429);
    const d = await makeContract(t.ctx);
    for (let i = 1; i <= 3; i++) expect((await loginFrom('203.0.113.9', d.number, 'нет')).status).toBe(401);
    expect((await loginFrom('::ffff:203.0.113.9', d.number, d.password)).status).toBe(429);
  });

  it('limits «Подключиться» per /64 too', async () => {
    await app({ PUBLIC_FORMS_PER_HOUR: '2' });
    const agent = request.agent(t.app);
    const send = async (ip: string) => {
      const page = await agent.get('/connect');
      return agent.post('/connect').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrfFrom(page.text), phone: '+79131234567', name: 'Олег' });
    };
    expect((await send('2001:db8:5:6::1')).status).toBe(303);
    expect((await send('2001:db8:5:6::2')).status).toBe(303);
    expect((await send('2001:db8:5:6:abcd::3')).status).toBe(429);
  });
});



