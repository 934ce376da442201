// The view engine (src/web/views.ts) renders every page exactly as EJS's own renderFile did with `with (locals)`
// and copied locals per include: the same pages fetched through both, byte for byte.
import ejs from 'ejs';
import request from 'supertest';
import { VIEWS_DIR } from '../../src/paths';
import { escapeHtml } from '../../src/web/escapeHtml';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

/** Renders with EJS's renderFile from now on (Express keeps the views it has looked up: forgotten too). */
function useEjsRenderFile() {
  t.app.engine('ejs', ejs.renderFile);
  t.app.set('view options', { rmWhitespace: true, root: VIEWS_DIR, escape: escapeHtml });
  (t.app as unknown as { cache: object }).cache = Object.create(null);
}

describe('the view engine', () => {
  it('renders the pages as EJS renderFile does', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567'], payments: [{ amount: 40000, at: '2026-11-20T05:00:00.000Z' }] });
    await t.ctx.db('notifications').insert({ contract_id: c.id, topic: 'payments', title: 'Платёж <зачислен>', body: 'Спасибо & до встречи', link: '/cabinet/payments', created_at: '2026-11-23T05:00:00.000Z' });
    const { agent } = await signIn(t.app, c.number, c.password);
    const visitor = request.agent(t.app);
    await visitor.get('/login'); // its csrf cookie: later pages reuse the token, so both renders show the same one
    const pages: Array<[request.Agent | ReturnType<typeof request.agent>, string, Record<string, string>]> = [
      ...['/', '/tariffs', '/contacts', '/connect', '/feedback', '/privacy', '/login', '/recover', '/no-such-page'].map((p) => [visitor, p, {}] as [typeof visitor, string, Record<string, string>]),
      ...['/cabinet', '/cabinet/payments', '/cabinet/statement', '/cabinet/promised', '/cabinet/tariff', '/cabinet/voluntary-block', '/cabinet/autopay', '/cabinet/pay',
        '/cabinet/profile', '/cabinet/profile/contacts', '/cabinet/profile/sessions', '/cabinet/profile/notices', '/cabinet/profile/subscriptions', '/cabinet/profile/password']
        .map((p) => [agent, p, {}] as [typeof agent, string, Record<string, string>]),
      [agent, '/cabinet/balance', { 'HX-Request': 'true' }],
      [agent, '/cabinet/payments', { 'HX-Request': 'true' }],
    ];
    const fetchAll = async () => {
      const out: string[] = [];
      for (const [who, path, headers] of pages) {
        const res = await who.get(path).set(headers);
        out.push(`${path} ${res.status}\n${res.text}`);
      }
      return out;
    };
    const ours = await fetchAll();
    useEjsRenderFile();
    const theirs = await fetchAll();
    expect(ours.map((p) => p.split('\n')[0])).toEqual(theirs.map((p) => p.split('\n')[0]));
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBe(theirs[i]);
    expect(ours.filter((p) => / 200\n/.test(p)).length).toBe(pages.length - 1); // all but /no-such-page
  });
});
