// «Открыть кабинет абонента» (issue 11, item 9): support and admin open a subscriber's cabinet read-only, through a
// one-time link; every change is refused on the server and audited; the visit is not among the subscriber's sessions.
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract, makeTariff } from '../support/factories';
import { staffAgent, staffPost, type StaffAgent } from '../support/staff';

jest.setTimeout(60_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor', 'actor_id', 'contract_id', 'detail');

/** The staff member presses «Открыть кабинет абонента»; the answer's link, not followed. */
async function openView(agent: StaffAgent, contractId: number) {
  const res = await staffPost(agent, `/admin/contracts/${contractId}/cabinet`, {}, `/admin/contracts/${contractId}`);
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/cabinet\/as-staff\?token=[\w-]{40,}$/);
  return res.headers.location as string;
}

async function viewing(role: 'support' | 'admin' = 'support') {
  const c = await makeContract(t.ctx, { number: '100321', phones: ['+79051112233'] });
  const { agent, staff } = await staffAgent(t, role, { name: 'Ольга Поддержкина' });
  const link = await openView(agent, c.id);
  const claimed = await agent.get(link);
  expect(claimed.status).toBe(303);
  expect(claimed.headers.location).toBe('/cabinet');
  return { c, agent, staff, link };
}

describe('opening a cabinet', () => {
  it('lets support in, read-only, with the banner on every page and every form disabled, and audits the start', async () => {
    const { c, agent, staff } = await viewing('support');
    for (const path of ['/cabinet', '/cabinet/payments', '/cabinet/profile', '/cabinet/profile/contacts']) {
      const page = await agent.get(path);
      expect([path, page.status]).toEqual([path, 200]);
      expect(page.text).toContain('Вы смотрите кабинет абонента №\u00a0100321 как сотрудник (Ольга Поддержкина)');
      expect(page.text).toContain('Завершить просмотр');
      expect(page.text).toContain('<fieldset disabled class="viewer-lock">');
    }
    expect(await audits('cabinet_view_started')).toEqual([expect.objectContaining({ actor: 'staff', actor_id: staff.id, contract_id: c.id })]);
    // reading the contract's page itself wrote nothing
    expect(await audits('cabinet_view_refused')).toEqual([]);
  });

  it('lets an admin in too', async () => {
    await viewing('admin');
  });

  it('refuses the cashier and the content role (403, audited) and opens nothing', async () => {
    const c = await makeContract(t.ctx);
    for (const role of ['cashier', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      const res = await staffPost(agent, `/admin/contracts/${c.id}/cabinet`, {});
      expect(res.status).toBe(403);
    }
    expect(await audits('staff_forbidden')).toHaveLength(2);
    expect(await t.ctx.db('cabinet_views').select('id')).toEqual([]);
  });

  it('refuses a post without the csrf token and an unknown contract', async () => {
    const { agent } = await staffAgent(t, 'support');
    const c = await makeContract(t.ctx);
    expect((await agent.post(`/admin/contracts/${c.id}/cabinet`).type('form').send({})).status).toBe(403);
    expect((await staffPost(agent, '/admin/contracts/999999/cabinet', {})).status).toBe(404);
    expect(await t.ctx.db('cabinet_views').select('id')).toEqual([]);
  });

  it('takes a link once only, and not after 60 seconds', async () => {
    const { agent, link, c } = await viewing();
    const again = await agent.get(link);
    expect(again.status).toBe(403);
    expect(again.text).toContain('Ссылка для просмотра кабинета недействительна');
    const late = await openView(agent, c.id);
    t.clock.advance(61_000);
    expect((await agent.get(late)).status).toBe(403);
    expect((await agent.get('/cabinet/as-staff?token=nonsense')).status).toBe(403);
    expect((await agent.get('/cabinet/as-staff')).status).toBe(403);
  });
});

describe('the read-only view', () => {
  /** What a refused change must leave as it was. */
  async function snapshot(contractId: number) {
    const n = async (table: string) => Number((await t.ctx.db(table).count({ n: '*' }).first())!.n);
    const tables = ['ledger_entries', 'payments', 'promised_payments', 'voluntary_blocks', 'tariff_changes', 'contract_phones', 'contact_changes', 'outbox', 'jobs', 'notifications', 'subscriptions'];
    const counts = Object.fromEntries(await Promise.all(tables.map(async (x) => [x, await n(x)] as const)));
    const contract = await t.ctx.db('contracts').where({ id: contractId }).first('name', 'email', 'password_hash', 'status', 'tariff_id', 'balance_kopecks', 'updated_at');
    return { counts, contract };
  }

  it('refuses every change of the cabinet on the server (403, audited) and changes nothing', async () => {
    const { c, agent, staff } = await viewing();
    const other = await makeTariff(t.ctx, { townIds: [c.townId] });
    const before = await snapshot(c.id);
    const token = csrfFrom((await agent.get('/cabinet')).text);
    const posts: [string, Record<string, string>][] = [
      ['/cabinet/pay', { amount: '500' }],
      ['/cabinet/promised', { confirm: '1' }],
      ['/cabinet/voluntary-block', { from: '2026-12-01', to: '2026-12-10' }],
      ['/cabinet/voluntary-block/1/cancel', {}],
      ['/cabinet/voluntary-block/1/end', {}],
      ['/cabinet/tariff', { tariff: String(other.id), when: 'now' }],
      ['/cabinet/tariff/confirm', { tariff: String(other.id), when: 'now' }],
      ['/cabinet/tariff/changes/1/cancel', {}],
      ['/cabinet/profile/password', { current: 'correct horse', password: 'a new long password', confirm: 'a new long password' }],
      ['/cabinet/profile/contacts/reauth', { password: 'correct horse' }],
      ['/cabinet/profile/contacts/phone', { phone: '+79139998877' }],
      ['/cabinet/profile/contacts/phone/confirm', { code: '123456' }],
      ['/cabinet/profile/contacts/phone/remove', { phone: '+79051112233' }],
      ['/cabinet/profile/contacts/email', { email: 'new@example.ru' }],
      ['/cabinet/profile/subscriptions', { 'balance.sms': '1' }],
      ['/cabinet/profile/notices/read', {}],
      ['/cabinet/profile/sessions/end', { sid: 'x' }],
      ['/cabinet/profile/sessions/end-others', {}],
      ['/cabinet/autopay', { amount: '500', threshold: '100', consent: '1' }],
      ['/cabinet/autopay/off', {}],
      ['/feedback', { name: 'Х', phone: '+79130000000', question: 'вопрос' }],
      ['/connect', { phone: '+79130000000' }],
      ['/login', { contract: c.number, password: c.password }],
      ['/recover', { contract: c.number }],
    ];
    for (const [path, fields] of posts) {
      const res = await agent.post(path).type('form').send({ _csrf: token, ...fields });
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).toContain('В режиме просмотра сотрудником ничего изменить нельзя');
    }
    const hx = await agent.post('/cabinet/promised').set('HX-Request', 'true').set('X-CSRF-Token', token).type('form').send({});
    expect(hx.status).toBe(403);
    expect(hx.text).not.toContain('<html');
    for (const method of ['put', 'delete', 'patch'] as const) expect((await agent[method]('/cabinet')).status).toBe(403);
    expect(await snapshot(c.id)).toEqual(before);
    const refused = await audits('cabinet_view_refused');
    expect(refused).toHaveLength(posts.length + 4);
    expect(refused[0]).toEqual(expect.objectContaining({ actor: 'staff', actor_id: staff.id, contract_id: c.id }));
    // still viewing after all that
    expect((await agent.get('/cabinet')).status).toBe(200);
  });

  it('is not among the subscriber\'s sessions, and the subscriber ending other sessions does not end it', async () => {
    const c = await makeContract(t.ctx, { number: '100999' });
    const { agent: subscriber } = await signIn(t.app, c.number, c.password);
    const { agent } = await staffAgent(t, 'support');
    await agent.get(await openView(agent, c.id));
    expect(await t.ctx.db('sessions').where({ contract_id: c.id }).select('sid')).toHaveLength(1);
    const page = await subscriber.get('/cabinet/profile/sessions');
    expect(page.status).toBe(200);
    expect(page.text.match(/data-testid="session"/g)).toHaveLength(1); // the subscriber's own session alone
    const ended = await subscriber.post('/cabinet/profile/sessions/end-others').type('form').send({ _csrf: csrfFrom(page.text) });
    expect(ended.status).toBe(303);
    expect((await agent.get('/cabinet')).status).toBe(200);
  });

  it('ends with «Завершить просмотр» (audited), back to the contract\'s page in the console', async () => {
    const { c, agent } = await viewing();
    const token = csrfFrom((await agent.get('/cabinet')).text);
    const res = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/contracts/${c.id}`);
    expect(await audits('cabinet_view_ended')).toHaveLength(1);
    expect(await audits('logout')).toEqual([]);
    expect((await agent.get('/cabinet')).status).toBe(303);
    expect((await agent.get(`/admin/contracts/${c.id}`)).status).toBe(200); // the console's session is untouched
  });

  it('ends when the staff member is disabled, and after an hour', async () => {
    const { agent, staff, c } = await viewing();
    await t.ctx.db('staff').where({ id: staff.id }).update({ active: false });
    const res = await agent.get('/cabinet');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=1');
    await t.ctx.db('staff').where({ id: staff.id }).update({ active: true });
    const { agent: other } = await staffAgent(t, 'support');
    await other.get(await openView(other, c.id));
    for (let i = 0; i < 3; i++) {
      t.clock.advance(20 * 60_000); // active all along: the idle timeout does not end it
      expect((await other.get('/cabinet')).status).toBe(i < 2 ? 200 : 303);
    }
    expect(await t.ctx.db('cabinet_views').whereNotNull('ended_at').select('id')).toHaveLength(2);
  });
});
