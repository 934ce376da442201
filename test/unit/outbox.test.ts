// The outbox and its drivers: SMS.ru, SMSC and SMTP against fake servers of ours on 127.0.0.1 that speak their
// protocols (success, their error answers, no answer), the file driver, retries with backoff, quiet hours.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config';
import { fileDriver, SendError, smscDriver, smsRuDriver, smtpDriver, type Driver, type OutMessage } from '../../src/outbox/drivers';
import { createOutbox, enqueue, quietUntil } from '../../src/outbox/service';
import { failureOf, makeTestApp, type TestApp } from '../support/app';

const msg: OutMessage = { id: 7, channel: 'sms', recipient: '+79131234567', subject: null, body: 'Код: 123456', headers: {} };

type Handler = (url: URL, res: http.ServerResponse) => void;
async function fakeGateway(handler: Handler): Promise<{ url: string; seen: URL[]; close: () => Promise<void> }> {
  const seen: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(url);
    handler(url, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, seen,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
const json = (res: http.ServerResponse, body: object, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function sendError(driver: Driver): Promise<{ permanent: boolean; message: string }> {
  try {
    await driver.send(msg);
  } catch (err) {
    if (err instanceof SendError) return { permanent: err.permanent, message: err.message };
    throw err;
  }
  throw new Error('sent');
}

const smsCfg = (over: object) => ({ ...loadConfig({ NODE_ENV: 'test' }).outbox.sms, smsruApiId: 'API-ID', smscLogin: 'login', smscPassword: 'secret', ...over });

describe('SMS.ru driver against a fake SMS.ru', () => {
  it('sends with api_id, the number without +, the text and json=1, and returns the sms_id', async () => {
    const gw = await fakeGateway((url, res) => {
      if (url.pathname !== '/sms/send') return json(res, {}, 404);
      json(res, { status: 'OK', status_code: 100, sms: { [url.searchParams.get('to')!]: { status: 'OK', status_code: 100, sms_id: '000000-10000001' } }, balance: 100 });
    });
    const id = await smsRuDriver(smsCfg({ smsruUrl: gw.url }), 2000).send(msg);
    expect(id).toBe('000000-10000001');
    expect(Object.fromEntries(gw.seen[0].searchParams)).toEqual({ api_id: 'API-ID', to: '79131234567', msg: 'Код: 123456', json: '1' });
    await gw.close();
  });

  it('maps its error codes: a refused number is final, no money or a bad api_id is tried again', async () => {
    let answer: object = {};
    const gw = await fakeGateway((_url, res) => json(res, answer));
    const driver = smsRuDriver(smsCfg({ smsruUrl: gw.url }), 2000);
    answer = { status: 'OK', status_code: 100, sms: { '79131234567': { status: 'ERROR', status_code: 207, status_text: 'На этот номер нельзя отправлять сообщения' } } };
    expect(await sendError(driver)).toMatchObject({ permanent: true, message: expect.stringContaining('207') });
    answer = { status: 'ERROR', status_code: 201, status_text: 'Не хватает средств на лицевом счету' };
    expect(await sendError(driver)).toMatchObject({ permanent: false, message: expect.stringContaining('201') });
    answer = { status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' };
    expect((await sendError(driver)).permanent).toBe(false);
    answer = { status: 'ERROR', status_code: 220, status_text: 'Сервис временно недоступен' };
    expect((await sendError(driver)).permanent).toBe(false);
    await gw.close();
  });

  it('treats a timeout, an HTTP 502 and a refused connection as worth another try', async () => {
    const slow = await fakeGateway(() => undefined); // never answers
    expect(await sendError(smsRuDriver(smsCfg({ smsruUrl: slow.url }), 200))).toMatchObject({ permanent: false, message: expect.stringContaining('no answer in 200 ms') });
    await slow.close();
    const bad = await fakeGateway((_u, res) => res.writeHead(502).end('Bad Gateway'));
    expect(await sendError(smsRuDriver(smsCfg({ smsruUrl: bad.url }), 2000))).toMatchObject({ permanent: false, message: expect.stringContaining('502') });
    await bad.close();
    expect((await sendError(smsRuDriver(smsCfg({ smsruUrl: bad.url }), 2000))).permanent).toBe(false);
  });
});

describe('SMSC driver against a fake SMSC', () => {
  it('sends login, psw, phones, mes, fmt=3 and charset, and returns the id', async () => {
    const gw = await fakeGateway((url, res) => (url.pathname === '/sys/send.php' ? json(res, { id: 4242, cnt: 1 }) : json(res, {}, 404)));
    expect(await smscDriver(smsCfg({ smscUrl: gw.url }), 2000).send(msg)).toBe('4242');
    expect(Object.fromEntries(gw.seen[0].searchParams)).toEqual({ login: 'login', psw: 'secret', phones: '79131234567', mes: 'Код: 123456', fmt: '3', charset: 'utf-8' });
    await gw.close();
  });

  it('maps its error codes: a bad number (7) or a forbidden message (6) is final, no money (3) or a bad login (2) is tried again', async () => {
    let answer: object = {};
    const gw = await fakeGateway((_url, res) => json(res, answer));
    const driver = smscDriver(smsCfg({ smscUrl: gw.url }), 2000);
    for (const [code, permanent] of [[7, true], [6, true], [8, true], [3, false], [2, false], [9, false]] as const) {
      answer = { error: 'some error', error_code: code };
      expect(await sendError(driver)).toMatchObject({ permanent, message: expect.stringContaining(`SMSC ${code}`) });
    }
    await gw.close();
  });

  it('treats no answer in time as worth another try', async () => {
    const slow = await fakeGateway(() => undefined);
    expect((await sendError(smscDriver(smsCfg({ smscUrl: slow.url }), 200))).permanent).toBe(false);
    await slow.close();
  });
});

describe('SMTP driver against smtp-server on 127.0.0.1', () => {
  async function smtp(onRcpt: (address: string) => Error | null) {
    const received: { to: string[]; data: string }[] = [];
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _session, cb) {
        const err = onRcpt(address.address);
        cb(err ?? undefined);
      },
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.server.address() as AddressInfo;
    return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const mail: OutMessage = {
    id: 9, channel: 'email', recipient: 'abonent@example.ru', subject: 'Пароль изменён', body: 'Пароль изменён.',
    headers: { 'List-Unsubscribe': '<http://127.0.0.1/unsubscribe?token=x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
  const emailCfg = (smtpUrl: string) => ({ driver: 'smtp' as const, file: '', smtpUrl, from: 'info@example.ru' });

  it('delivers with the one-click unsubscribe headers', async () => {
    const s = await smtp(() => null);
    const id = await smtpDriver(emailCfg(s.url), 5000).send(mail);
    expect(id).toMatch(/@/);
    expect(s.received).toHaveLength(1);
    expect(s.received[0].to).toEqual(['abonent@example.ru']);
    expect(s.received[0].data).toContain('List-Unsubscribe: <http://127.0.0.1/unsubscribe?token=x>');
    expect(s.received[0].data).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    await s.close();
  });

  it('treats a 550 as final and a 451 as worth another try', async () => {
    const s = await smtp((address) => {
      const err = new Error(address.startsWith('gone') ? 'No such user' : 'Try later') as Error & { responseCode: number };
      err.responseCode = address.startsWith('gone') ? 550 : 451;
      return err;
    });
    const driver = smtpDriver(emailCfg(s.url), 5000);
    expect(await failureOf(driver.send({ ...mail, recipient: 'gone@example.ru' }))).toContain('No such user');
    await driver.send({ ...mail, recipient: 'gone@example.ru' }).catch((e: SendError) => expect(e.permanent).toBe(true));
    await driver.send({ ...mail, recipient: 'later@example.ru' }).catch((e: SendError) => expect(e.permanent).toBe(false));
    expect.assertions(3);
    await s.close();
  });

  it('treats a server that is not there as worth another try', async () => {
    const s = await smtp(() => null);
    await s.close();
    const e = await smtpDriver(emailCfg(s.url), 1000).send(mail).then(() => null, (err: SendError) => err);
    expect(e?.permanent).toBe(false);
  });
});

describe('the outbox worker', () => {
  let t: TestApp;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-outbox-'));
    t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl'), OUTBOX_MAX_ATTEMPTS: '3' });
  });
  afterEach(() => t.close());

  it('the file driver appends one JSON line per message', async () => {
    const file = path.join(dir, 'sub', 'f.jsonl');
    const d = fileDriver(file, () => t.clock.now());
    await d.send(msg);
    await d.send({ ...msg, id: 8 });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: 7, at: '2026-11-24T05:00:00.000Z', channel: 'sms', to: '+79131234567', text: 'Код: 123456' },
      expect.objectContaining({ id: 8 }),
    ]);
  });

  it('keeps a message through a gateway outage: retried with growing pauses, then sent', async () => {
    let up = false;
    const flaky: Driver = { name: 'flaky', send: async () => { if (!up) throw new SendError('down', false); return 'p-1'; } };
    const outbox = createOutbox(t.ctx, { sms: flaky, email: flaky });
    await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Плановые работы', topic: 'maintenance' });
    expect(await outbox.runDue()).toMatchObject({ retry: 1 });
    let row = await t.ctx.db('outbox').first();
    expect(row).toMatchObject({ state: 'queued', attempts: 1, last_error: 'down', next_try_at: '2026-11-24T05:01:00.000Z' });
    expect(await outbox.runDue()).toMatchObject({ retry: 0, sent: 0 }); // not due yet
    t.clock.advance(60_000);
    await outbox.runDue();
    row = await t.ctx.db('outbox').first();
    expect(row).toMatchObject({ attempts: 2, next_try_at: '2026-11-24T05:03:00.000Z' });
    up = true;
    t.clock.advance(120_000);
    expect(await outbox.runDue()).toMatchObject({ sent: 1 });
    expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'sent', attempts: 3, provider_id: 'p-1', sent_at: '2026-11-24T05:03:00.000Z' });
  });

  it('marks a message failed after OUTBOX_MAX_ATTEMPTS or a final refusal, keeps it, and staff can queue it again', async () => {
    const down: Driver = { name: 'down', send: async (m) => { throw new SendError('refused', m.recipient.endsWith('0')); } };
    const outbox = createOutbox(t.ctx, { sms: down, email: down });
    await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234560', text: 'a', topic: 'maintenance' });
    await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'b', topic: 'maintenance' });
    await outbox.runDue();
    for (let i = 0; i < 3; i++) {
      t.clock.advance(3600_000);
      await outbox.runDue();
    }
    const rows = await t.ctx.db('outbox').orderBy('id');
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([['failed', 1], ['failed', 3]]);
    expect(await outbox.retry(rows[1].id)).toBe(true);
    expect(await t.ctx.db('outbox').where({ id: rows[1].id }).first()).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('holds SMS at night until 08:00 provider time, but sends one-time codes and e-mail at once', async () => {
    const sent: string[] = [];
    const rec: Driver = { name: 'rec', send: async (m) => { sent.push(m.body); return 'ok'; } };
    const outbox = createOutbox(t.ctx, { sms: rec, email: rec });
    t.clock.set('2026-11-24T16:30:00.000Z'); // 23:30 in Novokuznetsk (UTC+7)
    await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Новости', topic: 'news' });
    await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Код 123456', topic: 'recovery', oneTimeCode: true });
    await enqueue(t.ctx, t.ctx.db, { channel: 'email', recipient: 'a@example.ru', subject: 's', text: 'Письмо', topic: 'news' });
    expect(await outbox.runDue()).toMatchObject({ sent: 2, deferred: 1 });
    expect([...sent].sort()).toEqual(['Код 123456', 'Письмо']); // SMS and e-mail go side by side
    expect(await t.ctx.db('outbox').where({ topic: 'news', channel: 'sms' }).first()).toMatchObject({ state: 'queued', attempts: 0, next_try_at: '2026-11-25T01:00:00.000Z' });
    expect((await t.ctx.db('outbox').where({ topic: 'recovery' }).first()).body).toBe('Код ******');
    t.clock.set('2026-11-25T00:59:00.000Z'); // 07:59
    expect(await outbox.runDue()).toMatchObject({ sent: 0 });
    t.clock.set('2026-11-25T01:00:00.000Z'); // 08:00
    expect(await outbox.runDue()).toMatchObject({ sent: 1 });
    expect(sent).toHaveLength(3);
    expect(sent[2]).toBe('Новости');
  });

  it('knows the quiet hours across midnight', () => {
    const tz = 'Asia/Novokuznetsk';
    expect(quietUntil(new Date('2026-11-24T14:59:00Z'), tz, 22, 8)).toBeNull(); // 21:59
    expect(quietUntil(new Date('2026-11-24T15:00:00Z'), tz, 22, 8)?.toISOString()).toBe('2026-11-25T01:00:00.000Z'); // 22:00
    expect(quietUntil(new Date('2026-11-24T20:00:00Z'), tz, 22, 8)?.toISOString()).toBe('2026-11-25T01:00:00.000Z'); // 03:00
    expect(quietUntil(new Date('2026-11-25T01:00:00Z'), tz, 22, 8)).toBeNull(); // 08:00
  });

  it('ends the quiet hours at 08:00 by the wall clock on a DST day, not 8 hours after midnight', () => {
    // Auckland, 5 April 2026: DST ends at 03:00, so 08:00 NZST is 9 hours after midnight NZDT
    expect(quietUntil(new Date('2026-04-04T13:00:00Z'), 'Pacific/Auckland', 22, 8)?.toISOString()).toBe('2026-04-04T20:00:00.000Z');
  });

  it('queues the same key once', async () => {
    const m = { channel: 'sms' as const, recipient: '+79131234567', text: 'x', topic: 'payments', key: 'k1' };
    expect(await enqueue(t.ctx, t.ctx.db, m)).toBeGreaterThan(0);
    expect(await enqueue(t.ctx, t.ctx.db, m)).toBeNull();
    expect(await t.ctx.db('outbox')).toHaveLength(1);
  });
});

describe('the scheduler', () => {
  it('sends the outbox on its tick and queues the day\u2019s low balance reminders', async () => {
    const { startScheduler } = await import('../../src/schedule');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-tick-'));
    const t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl') });
    try {
      await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Плановые работы', topic: 'maintenance' });
      const s = startScheduler(t.ctx); // ticks once at start
      await s.stop(); // waits for that tick
      expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'sent', attempts: 1 });
      expect(fs.readFileSync(path.join(dir, 'sms.jsonl'), 'utf8')).toContain('Плановые работы');
      expect(await t.ctx.db('jobs').where({ kind: 'low_balance_reminders' }).pluck('idempotency_key')).toEqual(['low_balance_reminders:2026-11-24']);
    } finally {
      await t.close();
    }
  });
});
