// A full or read-only disk: every page that must write answers 503 «Сервис временно недоступен» with Retry-After,
// nothing is half-written, and the session is never saved after the answer (a reset socket, then «Страница устарела»).
import request from 'supertest';
import { makeTestApp, csrfFrom, signIn, type TestApp } from '../support/app';
import { fillDisk, makeReadOnly, makeWritable, sessionFiller } from '../support/disk';
import { describeSqlite } from '../support/engine';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const UNAVAILABLE = 'Сервис временно недоступен. Попробуйте через несколько минут.';
const requestFiller = { table: 'connection_requests', row: (_i: number, text: string) => ({ phone: '+70000000000', name: text, created_at: '2000-01-01T00:00:00.000Z' }) };
const requests = async () => Number((await t.ctx.db('connection_requests').count({ n: '*' }).first())!.n);

function expectUnavailable(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('120');
  expect(res.text).toContain(UNAVAILABLE);
  expect(res.text).not.toMatch(/SQLITE|Страница устарела/);
}

describeSqlite('a full disk', () => {
  it('shows the sign-in form (it writes nothing: its csrf token needs no session), and answers the sign-in that must save a session with 503 and no session cookie', async () => {
    const c = await makeContract(t.ctx);
    await fillDisk(t.ctx.db, [sessionFiller]);
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    expect(page.status).toBe(200);
    const login = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password });
    expectUnavailable(login);
    expect(((login.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((x) => x.startsWith('kabinet.sid='))).toBe(false);
    await makeWritable(t.ctx.db);
    expect((await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password })).status).toBe(303);
  });

  it('answers a form POST with 503 and writes nothing; once the disk is back the same form goes through', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/connect');
    await fillDisk(t.ctx.db, [sessionFiller, requestFiller]);
    const before = await requests();
    const res = await agent.post('/connect').type('form').send({ _csrf: csrfFrom(page.text), phone: '+7 913 123-45-67', name: 'Иван' });
    expectUnavailable(res);
    expect(await requests()).toBe(before);
    const fragment = await agent.post('/connect').set('HX-Request', 'true').set('X-CSRF-Token', csrfFrom(page.text)).type('form').send({ phone: '+7 913 123-45-67' });
    expect(fragment.status).toBe(503);
    expect(fragment.text).toContain(UNAVAILABLE);
    expect(fragment.text).not.toContain('<html');
    expect(await requests()).toBe(before);

    await makeWritable(t.ctx.db);
    const again = await agent.post('/connect').type('form').send({ _csrf: csrfFrom(page.text), phone: '+7 913 123-45-67', name: 'Иван' });
    expect(again.status).toBe(303); // the session kept its csrf token: no «Страница устарела»
    expect(await requests()).toBe(before + 1);
  });
});

describeSqlite('a read-only disk', () => {
  it('answers sign-in with 503, signs nobody in, and the same form signs in once the disk is back', async () => {
    await makeContract(t.ctx, { number: '300001', password: 'correct horse' });
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    await makeReadOnly(t.ctx.db);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: '300001', password: 'correct horse' });
    expectUnavailable(res);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/cabinet')).status).toBe(303); // not signed in
    await makeWritable(t.ctx.db);
    const again = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: '300001', password: 'correct horse' });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/cabinet');
  });

  it('answers a cabinet page whose session must be saved (last seen) with 503 instead of a page and a reset socket', async () => {
    await makeContract(t.ctx, { number: '300002', password: 'correct horse' });
    const { agent } = await signIn(t.app, '300002', 'correct horse');
    t.clock.advance(2 * 60_000); // lastSeenAt is written at most once a minute: this request changes the session
    await makeReadOnly(t.ctx.db);
    expectUnavailable(await agent.get('/cabinet'));
    await makeWritable(t.ctx.db);
    expect((await agent.get('/cabinet')).status).toBe(200); // still signed in
  });

  it('still shows a page that writes nothing, the session unchanged', async () => {
    await makeContract(t.ctx, { number: '300003', password: 'correct horse' });
    const { agent } = await signIn(t.app, '300003', 'correct horse');
    await agent.get('/cabinet'); // lastSeenAt fresh
    await makeReadOnly(t.ctx.db);
    expect((await agent.get('/cabinet')).status).toBe(200);
  });
});
