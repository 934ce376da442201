// Secrets stay out of logs and the outbox (issue 9 point 15): request lines carry the path without its query string
// (e-mail confirmation and unsubscribe tokens travel there), and the e-mail confirmation link is masked once sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { openTestDb } from '../support/engine';
import { createLogger } from '../../src/logger';
import { unsubscribeToken } from '../../src/notifications/subscriptions';
import { csrfFrom, signIn } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000);

let ctx: AppContext;
let lines: string[];
let dir: string;
let closeDb: () => Promise<void>;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-logs-'));
  lines = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_FILE: ':memory:', BCRYPT_COST: '4', LOG_LEVEL: 'info', EMAIL_FILE: path.join(dir, 'email.jsonl'), SMS_FILE: path.join(dir, 'sms.jsonl') });
  const opened = await openTestDb();
  const db = opened.db;
  closeDb = opened.close;
  ctx = { config, db, clock: new ManualClock('2026-11-24T05:00:00.000Z'), logger: createLogger('info', sink) };
});
afterEach(async () => {
  await closeDb();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('secrets in logs and the outbox', () => {
  it('logs request lines with the path only: no e-mail confirmation or unsubscribe token reaches the log', async () => {
    const app = createApp(ctx);
    const c = await makeContract(ctx, { phones: ['+79131234567'] });
    const confirm = 'Q'.repeat(43);
    const unsubscribe = unsubscribeToken(ctx.config.sessionSecret, c.id, 'news');
    await request(app).get(`/email/confirm?token=${confirm}`);
    await request(app).get(`/unsubscribe?token=${encodeURIComponent(unsubscribe)}`);
    await request(app).post(`/unsubscribe?token=${encodeURIComponent(unsubscribe)}`);
    await request(app).get('/login?next=%2Fcabinet%3Fsecret%3Dabc');
    const requestLines = lines.map((l) => JSON.parse(l) as { req?: { url: string }; res?: unknown; responseTime?: unknown }).filter((l) => l.req);
    expect(requestLines.map((l) => l.req!.url)).toEqual(expect.arrayContaining(['/email/confirm', '/unsubscribe', '/login']));
    // a request line keeps exactly these fields: no headers, no query
    const login = requestLines.find((l) => l.req!.url === '/login')!;
    expect(login.req).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), method: 'GET', url: '/login', ip: expect.stringContaining('127.0.0.1') });
    expect(login.res).toEqual({ status: 200 });
    expect(login.responseTime).toEqual(expect.any(Number));
    const all = lines.join('');
    expect(all).not.toContain(confirm);
    expect(all).not.toContain(unsubscribe.split('.').at(-1));
    expect(all).not.toContain('secret');
  });

  it('masks the e-mail confirmation link in the outbox once the e-mail has gone; the link still works', async () => {
    const app = createApp(ctx);
    const c = await makeContract(ctx, { password: 'old password 1', phones: ['+79131234567'] });
    const { agent } = await signIn(app, c.number, 'old password 1');
    const page = await agent.get('/cabinet/profile/contacts');
    await agent.post('/cabinet/profile/contacts/reauth').type('form').send({ _csrf: csrfFrom(page.text), password: 'old password 1' });
    const contacts = await agent.get('/cabinet/profile/contacts');
    expect((await agent.post('/cabinet/profile/contacts/email').type('form').send({ _csrf: csrfFrom(contacts.text), email: 'new@example.ru' })).status).toBe(303);
    const sent = JSON.parse(fs.readFileSync(path.join(dir, 'email.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { text: string };
    const token = /\/email\/confirm\?token=([\w-]{43})/.exec(sent.text)![1];
    const row = await ctx.db('outbox').where({ recipient: 'new@example.ru' }).first();
    expect(row.state).toBe('sent');
    expect(row.body).not.toContain(token);
    expect(row.body).toContain('/email/confirm?token=[скрыто]');
    expect(row.body).toContain(`№\u00a0${c.number}`); // only the secret is masked
    const confirmPage = await request(app).get(`/email/confirm?token=${token}`);
    expect(confirmPage.status).toBe(200);
  });
});
