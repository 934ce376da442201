// «Не помните пароль?» step by step, every rule and the abuse cases of issue 5, the SMS read from the file outbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;
let smsFile: string;
beforeEach(async () => {
  smsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-sms-')), 'sms.jsonl');
  t = await makeTestApp({ SMS_FILE: smsFile, EMAIL_FILE: `${smsFile}.email` });
});
afterEach(() => t.close());

const sms = (): { to: string; text: string }[] => (fs.existsSync(smsFile) ? fs.readFileSync(smsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
const lastCode = () => /(\d{6})/.exec(sms().at(-1)!.text)![1];
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const hidden = (html: string) => ({ _csrf: csrfFrom(html), attempt: field(html, 'attempt') });

async function find(agent: Agent, contract: string) {
  const page = await agent.get('/recover');
  return agent.post('/recover').type('form').send({ _csrf: csrfFrom(page.text), contract });
}
async function toCode(agent: Agent, contract: string, phone = '0') {
  const found = await find(agent, contract);
  return agent.post('/recover/code').type('form').send({ ...hidden(found.text), phone });
}
async function toPassword(agent: Agent, contract: string) {
  const codePage = await toCode(agent, contract);
  return agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), phone: '0', code: lastCode() });
}
const subscriber = () => makeContract(t.ctx, { password: 'old password 1', phones: ['+79131234567', '+79039876543'] });

describe('recovering a password by SMS', () => {
  it('finds the contract, shows its phones masked, sends a code to the one picked, then sets the new password and signs in', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const found = await find(agent, c.number);
    expect(found.status).toBe(200);
    expect(found.text).toContain('+7 *** ***-45-67');
    expect(found.text).toContain('+7 *** ***-65-43');
    expect(found.text).not.toContain('1234567');

    const codePage = await agent.post('/recover/code').type('form').send({ ...hidden(found.text), phone: '1' });
    expect(codePage.status).toBe(200);
    expect(codePage.text.replace(/\u00a0/g, ' ')).toContain('+7 *** ***-65-43');
    expect(sms()).toHaveLength(1);
    expect(sms()[0].to).toBe('+79039876543');
    const code = lastCode();
    // stored hashed; the outbox keeps the text masked once sent
    const row = await t.ctx.db('recovery_codes').first();
    expect(row.code_hash).not.toContain(code);
    expect((await t.ctx.db('outbox').first()).body).not.toContain(code);

    const pw = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), phone: '1', code });
    expect(pw.status).toBe(200);
    expect(pw.text).toContain('name="password2"');

    const other = await signIn(t.app, c.number, 'old password 1');
    const done = await agent.post('/recover/password').type('form').send({ ...hidden(pw.text), password: 'новый длинный пароль', password2: 'новый длинный пароль' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/cabinet?recovered=1');
    expect((await agent.get('/cabinet')).status).toBe(200); // signed in
    expect((await other.agent.get('/cabinet')).status).toBe(303); // the other session has ended
    await signIn(t.app, c.number, 'новый длинный пароль');
    expect(await failureOfSignIn(c.number, 'old password 1')).toBe(401);
    // «пароль изменён» to both phones (topic account, not subject to quiet hours or subscriptions) and in the cabinet
    const told = await t.ctx.db('outbox').where({ topic: 'account', channel: 'sms' }).pluck('recipient');
    expect(told.sort()).toEqual(['+79039876543', '+79131234567']);
    expect(await t.ctx.db('notifications').where({ contract_id: c.id, topic: 'account' })).toHaveLength(1);
  });

  async function failureOfSignIn(contract: string, password: string) {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    return (await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract, password })).status;
  }

  it('gives an unknown contract and a contract without phones the same answer, pointing to support and the office, and sends nothing', async () => {
    const bare = await makeContract(t.ctx, { phones: [] });
    const a = await find(request.agent(t.app), '999999');
    const b = await find(request.agent(t.app), bare.number);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/"X-CSRF-Token": "[^"]*"/g, '');
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(strip(a.text)).toBe(strip(b.text));
    expect(a.text).toContain('контакт-центр');
    expect(a.text).toContain('href="/contacts"');
    expect(sms()).toHaveLength(0);
  });

  it('refuses a phone index that is not in the list, and a forged attempt token', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const found = await find(agent, c.number);
    for (const phone of ['2', '-1', 'x', '']) {
      const r = await agent.post('/recover/code').type('form').send({ ...hidden(found.text), phone });
      expect(r.status).toBe(422);
      expect(r.text).toContain('Выберите телефон из списка');
    }
    const forged = await agent.post('/recover/code').type('form').send({ _csrf: csrfFrom(found.text), attempt: 'A'.repeat(43), phone: '0' });
    expect(forged.status).toBe(410);
    expect(sms()).toHaveLength(0);
  });

  it('refuses a code with letters or 7 digits without counting it, and ends the attempt on the 5th wrong code', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const codePage = await toCode(agent, c.number);
    const code = lastCode();
    const wrong = code === '000000' ? '111111' : '000000';
    for (const bad of ['12a456', '1234567']) {
      const r = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code: bad });
      expect(r.status).toBe(422);
      expect(r.text).toContain('Код — это 6 цифр');
    }
    for (let i = 1; i <= 4; i++) {
      const r = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code: wrong });
      expect(r.status).toBe(422);
      expect(r.text).toContain(`Осталось попыток: ${5 - i}`);
    }
    const fifth = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code: wrong });
    expect(fifth.status).toBe(410);
    expect(fifth.text).toContain('Слишком много неверных кодов');
    // the 6th try, even with the right code, gets nowhere
    const sixth = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code });
    expect(sixth.status).toBe(410);
    expect(sixth.text).not.toContain('name="password2"');
  });

  it('refuses an expired code after 10 minutes and a code used once already', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const codePage = await toCode(agent, c.number);
    const code = lastCode();
    t.clock.advance(10 * 60_000 + 1000);
    const late = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code });
    expect(late.status).toBe(422);
    expect(late.text).toContain('Срок действия кода истёк');

    const agent2 = request.agent(t.app);
    t.clock.advance(60_000);
    const codePage2 = await toCode(agent2, c.number);
    const code2 = lastCode();
    const ok = await agent2.post('/recover/verify').type('form').send({ ...hidden(codePage2.text), code: code2 });
    expect(ok.status).toBe(200);
    const again = await agent2.post('/recover/verify').type('form').send({ ...hidden(codePage2.text), code: code2 });
    expect(again.status).toBe(410);
    expect(again.text).toContain('уже использован');
  });

  it('binds the code to its attempt: a code sent in one attempt does not open another', async () => {
    const c = await subscriber();
    const a1 = request.agent(t.app);
    await toCode(a1, c.number);
    const code = lastCode();
    const a2 = request.agent(t.app);
    const found2 = await find(a2, c.number);
    const r = await a2.post('/recover/verify').type('form').send({ ...hidden(found2.text), code });
    expect(r.status).toBe(410); // no code was sent in this attempt
  });

  it('sends a new code at most once a minute and 5 a day per contract', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const codePage = await toCode(agent, c.number);
    const again = await agent.post('/recover/code').type('form').send({ ...hidden(codePage.text), phone: '0' });
    expect(again.status).toBe(429);
    expect(again.text).toContain('Новый код можно запросить через');
    expect(sms()).toHaveLength(1);
    for (let i = 2; i <= 5; i++) {
      t.clock.advance(61_000);
      expect((await agent.post('/recover/code').type('form').send({ ...hidden(codePage.text), phone: '0' })).status).toBe(200);
    }
    t.clock.advance(61_000);
    const sixth = await agent.post('/recover/code').type('form').send({ ...hidden(codePage.text), phone: '0' });
    expect(sixth.status).toBe(429);
    expect(sixth.text).toContain('лимит SMS');
    expect(sms()).toHaveLength(5);
    // a new code replaces the old one
    t.clock.advance(24 * 3600_000);
    const fresh = await agent.post('/recover/code').type('form').send({ ...hidden((await find(agent, c.number)).text), phone: '0' });
    expect(fresh.status).toBe(200);
  });

  it('throttles 100 «Найти» in a minute from one address', async () => {
    await subscriber();
    const agent = request.agent(t.app);
    const page = await agent.get('/recover');
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await agent.post('/recover').type('form').send({ _csrf: csrfFrom(page.text), contract: String(300000 + i) })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const last = await agent.post('/recover').type('form').send({ _csrf: csrfFrom(page.text), contract: '1' });
    expect(last.text).toContain('Слишком много попыток');
    expect(last.headers['retry-after']).toBeDefined();
  });

  it('limits codes per client address too, across contracts', async () => {
    await t.close();
    t = await makeTestApp({ SMS_FILE: smsFile, RECOVERY_CODES_PER_ADDRESS_PER_DAY: '2' });
    const contracts = [await subscriber(), await subscriber(), await subscriber()];
    const statuses = [];
    for (const c of contracts) statuses.push((await toCode(request.agent(t.app), c.number)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(sms()).toHaveLength(2);
  });

  it('refuses a short, a common, a mismatched, a too long and a 100 KB password, keeping the old one', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const pw = await toPassword(agent, c.number);
    const send = (password: string, password2 = password) => agent.post('/recover/password').type('form').send({ ...hidden(pw.text), password, password2 });
    const cases: [string, string, string][] = [
      ['short12', 'short12', 'не короче 8'],
      ['password1', 'password1', 'слишком распространён'],
      ['Qwertyuiop', 'Qwertyuiop', 'слишком распространён'],
      ['достаточно длинный', 'другой пароль', 'не совпадают'],
      ['x'.repeat(129), 'x'.repeat(129), 'не длиннее 128'],
      // issue 9 point 12: the real blocklist and the subscriber's own words
      ['йцукенгшщз', 'йцукенгшщз', 'слишком распространён'],
      ['пароль123', 'пароль123', 'слишком распространён'],
      ['P@ssw0rd', 'P@ssw0rd', 'слишком распространён'],
      ['00000000', '00000000', 'слишком распространён'],
      ['centra2026', 'centra2026', 'номер договора'],
      [`дом${c.number}`, `дом${c.number}`, 'номер договора'],
    ];
    for (const [a, b, message] of cases) {
      const r = await send(a, b);
      expect(r.status).toBe(422);
      expect(r.text).toContain(message);
    }
    const huge = await send('я'.repeat(100 * 1024));
    expect(huge.status).toBe(413);
    expect(huge.text).toContain('Слишком большой запрос');
    await signIn(t.app, c.number, 'old password 1');
    // 128 characters is accepted
    const long = Array.from({ length: 128 }, (_, i) => 'абвгдежзийклмнопрстуфхцчшщ'[i % 26]).join('');
    expect((await send(long)).status).toBe(303);
  });

  it('works with htmx: each step is a fragment, the last one redirects with HX-Redirect', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const page = await agent.get('/recover');
    const token = csrfFrom(page.text);
    const hx = (url: string, body: object) => agent.post(url).set('HX-Request', 'true').set('X-CSRF-Token', token).type('form').send(body);
    const found = await hx('/recover', { contract: c.number });
    expect(found.text).toMatch(/^\s*<div id="recover"/);
    expect(found.text).not.toContain('<html');
    const codePage = await hx('/recover/code', { attempt: field(found.text, 'attempt'), phone: '0' });
    const pw = await hx('/recover/verify', { attempt: field(codePage.text, 'attempt'), code: lastCode() });
    const done = await hx('/recover/password', { attempt: field(pw.text, 'attempt'), password: 'a long new password', password2: 'a long new password' });
    expect(done.headers['hx-redirect']).toBe('/cabinet?recovered=1');
    expect((await agent.get('/cabinet')).status).toBe(200);
  });
});

describe('the code page shown again', () => {
  it('names the phone from the database, not from anything the form sends', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567', '+79039876543'] });
    const agent = request.agent(t.app);
    const page = await agent.get('/recover');
    const found = await agent.post('/recover').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number });
    const codePage = await agent.post('/recover/code').type('form').send({ _csrf: csrfFrom(found.text), attempt: /name="attempt" value="([^"]*)"/.exec(found.text)![1], phone: '1' });
    const r = await agent.post('/recover/verify').type('form').send({
      _csrf: csrfFrom(codePage.text), attempt: /name="attempt" value="([^"]*)"/.exec(codePage.text)![1], code: 'abc', phoneMasked: 'позвоните на +7 900 000-00-00',
    });
    expect(r.status).toBe(422);
    expect(r.text).not.toContain('позвоните');
    expect(r.text.replace(/\u00a0/g, ' ')).toContain('+7 *** ***-65-43');
  });
});

describe('the code page after a wrong code (issue 9 point 21)', () => {
  it('still says how many minutes the code lasts, and how many tries are left, on the page and in the htmx fragment', async () => {
    const c = await subscriber();
    const agent = request.agent(t.app);
    const codePage = await toCode(agent, c.number);
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    const page = await agent.post('/recover/verify').type('form').send({ ...hidden(codePage.text), code: wrong });
    expect(page.status).toBe(422);
    expect(page.text).toContain('Он действует 10 мин.');
    expect(page.text).not.toContain('undefined');
    expect(page.text).toContain('Осталось попыток: 4');

    const token = csrfFrom(codePage.text);
    const fragment = await agent.post('/recover/verify').set('HX-Request', 'true').set('X-CSRF-Token', token).type('form')
      .send({ attempt: field(codePage.text, 'attempt'), code: wrong });
    expect(fragment.status).toBe(422);
    expect(fragment.text).toMatch(/^\s*<div id="recover"/);
    expect(fragment.text).toContain('Он действует 10 мин.');
    expect(fragment.text).not.toContain('undefined');
    expect(fragment.text).toContain('Осталось попыток: 3');
  });
});
