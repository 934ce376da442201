// The outbox worker against review findings: a message the gateway accepted is never queued again, a send cannot
// outlive its lease and the result is written under that lease only, one-time codes expire and are not re-queued,
// and a dead SMS gateway neither holds up e-mail nor walks the whole batch.
import { failWrites } from '../support/engine';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SendError, type Driver, type OutMessage } from '../../src/outbox/drivers';
import { createOutbox, enqueue } from '../../src/outbox/service';
import { failureOf, makeTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeEach(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-outbox-d-'));
  t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl'), OUTBOX_TIMEOUT_MS: '200', RECOVERY_CODE_MINUTES: '10' });
});
afterEach(() => t.close());

const recorder = (sent: OutMessage[], act?: (m: OutMessage) => Promise<void> | void): Driver => ({
  name: 'rec', send: async (m) => { await act?.(m); sent.push(m); return `p-${m.id}`; },
});
const sms = (text: string, extra: object = {}) => enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text, topic: 'maintenance', ...extra });
const errors = () => {
  const seen: string[] = [];
  t.ctx.logger.error = ((_o: unknown, msg: string) => { seen.push(msg); }) as never;
  return seen;
};

describe('once the gateway has accepted a message', () => {
  it('never queues it again when marking it sent fails: retried, then logged loudly and left leased', async () => {
    const seen = errors();
    await failWrites(t.ctx.db, { name: 'no_sent', table: 'outbox', event: 'update', when: `new.state = 'sent'`, message: 'disk I/O error' });
    const sent: OutMessage[] = [];
    const outbox = createOutbox(t.ctx, { sms: recorder(sent), email: recorder(sent) });
    await sms('Плановые работы');
    expect(await outbox.runDue()).toMatchObject({ sent: 1, retry: 0 });
    const row = await t.ctx.db('outbox').first();
    expect(row).toMatchObject({ state: 'queued', attempts: 0, last_error: null });
    expect(new Date(row.next_try_at).getTime()).toBeGreaterThan(t.clock.now().getTime() + 60_000); // still leased
    expect(seen.join('\n')).toContain('SENT BUT NOT RECORDED');
    t.clock.advance(60_000); // the old code re-queued it for a minute later
    await outbox.runDue();
    expect(sent).toHaveLength(1);
  });

  it('marks it sent when the update fails only once', async () => {
    await t.ctx.db.raw(`create table fail_once (n integer)`);
    await t.ctx.db.raw(`insert into fail_once values (1)`);
    await failWrites(t.ctx.db, { name: 'once', table: 'outbox', event: 'update', when: `new.state = 'sent' and (select count(*) from fail_once) > 0`, message: 'busy' });
    const seen = errors();
    const sent: OutMessage[] = [];
    const outbox = createOutbox(t.ctx, { sms: recorder(sent), email: recorder(sent) });
    await sms('x');
    // The first update fails; the failure itself lifts the fault, before the next try (the pool runs queries in order).
    const failed = new Promise<void>((resolve) => t.ctx.db.once('query-error', () => { void t.ctx.db('fail_once').del().then(() => resolve()); }));
    const run = outbox.runDue();
    await failed;
    expect(await run).toMatchObject({ sent: 1 });
    expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'sent', attempts: 1, provider_id: 'p-1' });
    expect(sent).toHaveLength(1);
    expect(seen).toEqual([]);
  });
});

describe('several workers', () => {
  it('send each message once when four workers run at once (claimed, then sent)', async () => {
    const sent: OutMessage[] = [];
    // a slow driver, so the workers really overlap while sending
    const slow = recorder(sent, () => new Promise((r) => setTimeout(r, 5)));
    for (let i = 0; i < 12; i++) await sms(`Плановые работы ${i}`);
    const workers = Array.from({ length: 4 }, () => createOutbox(t.ctx, { sms: slow, email: slow }));
    const runs = await Promise.all(workers.map((w) => w.runDue()));
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(12);
    expect(sent.map((m) => m.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await t.ctx.db('outbox').where({ state: 'sent' }).count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(12);
  });
});

describe('the lease', () => {
  it('cuts off a send that takes longer than OUTBOX_TIMEOUT_MS and counts it as a transient failure', async () => {
    let aborted = false;
    const hang: Driver = { name: 'hang', send: (_m, signal) => new Promise(() => { signal?.addEventListener('abort', () => (aborted = true)); }) };
    const outbox = createOutbox(t.ctx, { sms: hang, email: hang });
    await sms('x');
    const started = Date.now();
    expect(await outbox.runDue()).toMatchObject({ retry: 1 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(aborted).toBe(true);
    expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'queued', attempts: 1, last_error: 'no answer in 200 ms (outbox timeout)' });
  });

  it('is longer than the send may take, and the result is written only under this worker\u2019s lease', async () => {
    let leaseDuringSend = '';
    const sent: OutMessage[] = [];
    const outbox = createOutbox(t.ctx, {
      sms: recorder(sent, async (m) => {
        leaseDuringSend = (await t.ctx.db('outbox').where({ id: m.id }).first()).next_try_at;
        // meanwhile another worker has taken the row (its own lease)
        await t.ctx.db('outbox').where({ id: m.id }).update({ next_try_at: '2026-11-24T06:00:00.000Z' });
      }),
      email: recorder(sent),
    });
    await sms('x');
    await outbox.runDue();
    expect(new Date(leaseDuringSend).getTime() - t.clock.now().getTime()).toBeGreaterThanOrEqual(2 * 200 + 60_000);
    // not marked sent by this worker: the row belongs to the other one now
    expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'queued', attempts: 0, next_try_at: '2026-11-24T06:00:00.000Z' });
  });

  it('writes a failure only under this worker\u2019s lease too', async () => {
    const outbox = createOutbox(t.ctx, {
      sms: { name: 'x', send: async (m) => { await t.ctx.db('outbox').where({ id: m.id }).update({ next_try_at: '2026-11-24T06:00:00.000Z' }); throw new SendError('down', false); } },
      email: recorder([]),
    });
    await sms('x');
    await outbox.runDue();
    expect(await t.ctx.db('outbox').first()).toMatchObject({ state: 'queued', attempts: 0, next_try_at: '2026-11-24T06:00:00.000Z', last_error: null });
  });
});

describe('one-time codes', () => {
  const code = () => enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Код 123456', topic: 'recovery', oneTimeCode: true });

  it('expire: retried only while the code is valid, then failed as expired and masked, never sent late', async () => {
    const down: Driver = { name: 'down', send: async () => { throw new SendError('down', false); } };
    const outbox = createOutbox(t.ctx, { sms: down, email: down });
    const id = await code();
    expect(await t.ctx.db('outbox').where({ id }).first()).toMatchObject({ expires_at: '2026-11-24T05:10:00.000Z' });
    const outcomes = [];
    for (let min = 0; min <= 120; min++) {
      const c = await outbox.runDue();
      if (c.retry || c.failed || c.expired) outcomes.push([min, c.retry ? 'retry' : c.expired ? 'expired' : 'failed']);
      t.clock.advance(60_000);
    }
    expect(outcomes).toEqual([[0, 'retry'], [1, 'retry'], [3, 'retry'], [7, 'expired']]); // the next try (15 min) would be after 05:10
    expect(await t.ctx.db('outbox').where({ id }).first()).toMatchObject({ state: 'failed', attempts: 4, body: 'Код ******', last_error: 'expired (last error: down)' });
  });

  it('due after its expiry is failed as expired without being sent (a night gateway outage, a stopped worker)', async () => {
    const sent: OutMessage[] = [];
    const outbox = createOutbox(t.ctx, { sms: recorder(sent), email: recorder(sent) });
    const id = await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Код 654321', topic: 'contacts', oneTimeCode: true, expiresAt: new Date('2026-11-24T05:05:00.000Z') });
    t.clock.advance(5 * 60_000);
    expect(await outbox.runDue()).toMatchObject({ expired: 1, sent: 0 });
    expect(sent).toHaveLength(0);
    expect(await t.ctx.db('outbox').where({ id }).first()).toMatchObject({ state: 'failed', attempts: 0, body: 'Код ******', last_error: 'expired' });
  });

  it('are refused by retry with a clear message; other failed messages still go back in the queue', async () => {
    const down: Driver = { name: 'down', send: async () => { throw new SendError('refused', true); } };
    const outbox = createOutbox(t.ctx, { sms: down, email: down });
    const id = (await code())!;
    const other = (await sms('Плановые работы'))!;
    await outbox.runDue();
    expect(await failureOf(outbox.retry(id))).toMatch(/message \d+ is a one-time code: it is never sent again/);
    expect(await t.ctx.db('outbox').where({ id }).first()).toMatchObject({ state: 'failed', body: 'Код ******' });
    expect(await outbox.retry(other)).toBe(true);
  });
});

describe('channels', () => {
  it('a dead SMS gateway stops its batch after 3 transient failures in a row and does not hold up e-mail', async () => {
    const events: string[] = [];
    const smsDown: Driver = { name: 'down', send: async (m) => { events.push(`sms ${m.id}`); await new Promise((r) => setTimeout(r, 30)); throw new SendError('down', false); } };
    const mail: Driver = { name: 'mail', send: async (m) => { events.push(`email ${m.id}`); return 'ok'; } };
    const outbox = createOutbox(t.ctx, { sms: smsDown, email: mail });
    for (let i = 0; i < 5; i++) await sms(`s${i}`);
    const mailId = await enqueue(t.ctx, t.ctx.db, { channel: 'email', recipient: 'a@example.ru', subject: 's', text: 'Письмо', topic: 'news' });
    expect(await outbox.runDue()).toMatchObject({ retry: 3, sent: 1 });
    expect(events.filter((e) => e.startsWith('sms'))).toEqual(['sms 1', 'sms 2', 'sms 3']);
    expect(events.indexOf(`email ${mailId}`)).toBeLessThan(events.indexOf('sms 3')); // not behind the SMS batch
    const rest = await t.ctx.db('outbox').whereIn('id', [4, 5]);
    expect(rest.map((r) => [r.attempts, r.next_try_at])).toEqual([[0, '2026-11-24T05:00:00.000Z'], [0, '2026-11-24T05:00:00.000Z']]);
  });

  it('a success resets the count of failures in a row', async () => {
    let n = 0;
    const flaky: Driver = { name: 'flaky', send: async () => { n++; if (n % 3 === 0) return 'ok'; throw new SendError('down', false); } };
    const outbox = createOutbox(t.ctx, { sms: flaky, email: flaky });
    for (let i = 0; i < 6; i++) await sms(`s${i}`);
    expect(await outbox.runDue()).toMatchObject({ retry: 4, sent: 2 });
  });
});
