// The process's http.Server (createHttpServer) builds requests and responses with the app's own prototypes, so that
// Express's Object.setPrototypeOf on each of them changes nothing; pages answer through it as through any server.
import http from 'node:http';
import request from 'supertest';
import { createHttpServer } from '../../src/web/httpServer';
import { csrfFrom, makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

let t: TestApp;
let server: http.Server;
beforeEach(async () => {
  t = await makeTestApp();
  server = createHttpServer(t.app, t.ctx.config);
});
afterEach(async () => {
  if (server.listening) await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe('the http server', () => {
  it('hands Express requests and responses that already have the app\u2019s prototypes, and the pages answer', async () => {
    const seen: Array<{ req: boolean; res: boolean }> = [];
    // before the app: what node:http built, before Express's setPrototypeOf
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      seen.push({ req: Object.getPrototypeOf(req) === t.app.request, res: Object.getPrototypeOf(res) === t.app.response });
    });
    const c = await makeContract(t.ctx, { number: '100777' });
    const agent = request.agent(server);
    const login = await agent.get('/login');
    expect((await agent.post('/login').type('form').send({ _csrf: csrfFrom(login.text), contract: c.number, password: c.password })).status).toBe(303);
    const page = await agent.get('/cabinet');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Договор №\u00a0100777');
    expect(seen.length).toBe(3);
    expect(seen.every((s) => s.req && s.res)).toBe(true);
    // the prototypes are still Express's: its request and response methods, the app, node's classes
    const req = Object.create(t.app.request) as http.IncomingMessage & { app: unknown; get: unknown };
    expect(req.app).toBe(t.app);
    expect(typeof req.get).toBe('function');
    expect(req).toBeInstanceOf(http.IncomingMessage);
    expect(Object.create(t.app.response)).toBeInstanceOf(http.ServerResponse);
  });
});
