// The retention job (152-FZ): personal data older than its period goes, younger stays, the ledger and audit never.
import { createJobs } from '../../src/jobs/service';
import { keyWithoutRecipient, retentionJobHandlers, runRetention, scheduleRetention } from '../../src/retention/service';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ OUTBOX_RETENTION_DAYS: '90', CODE_RETENTION_DAYS: '30', RATE_LIMIT_RETENTION_DAYS: '1' });
});
afterEach(() => t.close());

const DAY = 86_400_000;
const ago = (days: number) => new Date(t.clock.now().getTime() - days * DAY).toISOString();
const PHONE = '+79131234567';

async function outbox(id: number, state: string, createdDaysAgo: number, key: string | null = null) {
  await t.ctx.db('outbox').insert({
    id, channel: 'sms', recipient: PHONE, subject: 'Тема', body: `Текст ${id}`, headers: '{"X":"1"}', topic: 'low_balance', state, attempts: 1,
    next_try_at: ago(createdDaysAgo), last_error: state === 'failed' ? `bad number ${PHONE}` : null, idempotency_key: key, created_at: ago(createdDaysAgo),
    sent_at: state === 'sent' ? ago(createdDaysAgo) : null,
  });
}

describe('the retention run', () => {
  it('blanks old sent and failed messages, deletes old codes, attempts, contact changes, expired counters and sessions; keeps the rest, the ledger and the audit log', async () => {
    const c = await makeContract(t.ctx, { phones: [PHONE], payments: [{ amount: 50000, at: ago(400) }, { amount: 30000, at: ago(1) }] });
    await t.ctx.db('audit_log').insert([{ at: ago(1000), actor: 'subscriber', contract_id: c.id, action: 'login', ip: '10.0.0.1' }, { at: ago(1), actor: 'system', action: 'x' }]);
    const ledgerBefore = await t.ctx.db('ledger_entries').orderBy('id').select();
    const auditBefore = await t.ctx.db('audit_log').orderBy('id').select();

    await outbox(1, 'sent', 91, `low_balance:${c.id}:2026-08-20:sms:${PHONE}`);
    await outbox(2, 'failed', 120);
    await outbox(3, 'queued', 120); // still to be sent: never touched
    await outbox(4, 'sent', 89); // younger than 90 days

    const attempt = async (id: number, daysAgo: number) =>
      t.ctx.db('recovery_attempts').insert({ id, token_hash: `h${id}`, contract_id: c.id, ip: '10.0.0.1', state: 'done', created_at: ago(daysAgo), expires_at: ago(daysAgo) });
    const code = (id: number, attemptId: number, daysAgo: number) =>
      t.ctx.db('recovery_codes').insert({ id, attempt_id: attemptId, contract_id: c.id, phone: PHONE, code_hash: `c${id}`, created_at: ago(daysAgo), expires_at: ago(daysAgo) });
    await attempt(1, 40);
    await code(1, 1, 40);
    await attempt(2, 30.01); // begun before the cutoff, its code just after: both go
    await code(2, 2, 29.99);
    await attempt(3, 29);
    await code(3, 3, 29);

    const change = (id: number, daysAgo: number, o: { confirmed?: boolean; expiresInDays?: number } = {}) =>
      t.ctx.db('contact_changes').insert({
        id, contract_id: c.id, kind: 'phone', value: PHONE, secret_hash: `s${id}`, created_at: ago(daysAgo),
        expires_at: ago(-(o.expiresInDays ?? -daysAgo)), confirmed_at: o.confirmed ? ago(daysAgo) : null,
      });
    await change(1, 31, { confirmed: true });
    await change(2, 45); // expired long ago, never confirmed
    await change(3, 10, { confirmed: true }); // young

    const nowMs = t.clock.now().getTime();
    await t.ctx.db('rate_limits').insert([
      { key: 'login:10.0.0.1', points: 3, expire: nowMs - 2 * DAY },
      { key: 'login:10.0.0.2', points: 3, expire: nowMs - 3_600_000 }, // expired an hour ago: kept a day
      { key: 'login:10.0.0.3', points: 3, expire: nowMs + 3_600_000 },
      { key: 'forever', points: 1, expire: null },
    ]);
    await t.ctx.db('sessions').insert([
      { sid: 'old', sess: '{}', expired: ago(1) },
      { sid: 'live', sess: '{}', expired: ago(-1) },
    ]);

    expect(await runRetention(t.ctx)).toEqual({ outboxBlanked: 2, recoveryCodes: 2, recoveryAttempts: 2, contactChanges: 2, rateLimits: 1, sessions: 1 });

    const rows = await t.ctx.db('outbox').orderBy('id').select('id', 'recipient', 'subject', 'body', 'headers', 'last_error', 'idempotency_key', 'state', 'topic', 'contract_id');
    expect(rows[0]).toMatchObject({ id: 1, recipient: '', subject: null, body: '', headers: null, last_error: null, state: 'sent', topic: 'low_balance' });
    expect(rows[0].idempotency_key).toMatch(new RegExp(`^low_balance:${c.id}:2026-08-20:sms:#[0-9a-f]{16}$`));
    expect(rows[1]).toMatchObject({ id: 2, recipient: '', body: '', last_error: null, state: 'failed' });
    expect(rows[2]).toMatchObject({ id: 3, recipient: PHONE, body: 'Текст 3', state: 'queued' });
    expect(rows[3]).toMatchObject({ id: 4, recipient: PHONE, body: 'Текст 4', headers: '{"X":"1"}' });
    expect(JSON.stringify(rows.slice(0, 2))).not.toContain('1234567'); // no trace of the number in the blanked rows
    expect(await t.ctx.db('recovery_attempts').pluck('id')).toEqual([3]);
    expect(await t.ctx.db('recovery_codes').pluck('id')).toEqual([3]);
    expect(await t.ctx.db('contact_changes').pluck('id')).toEqual([3]);
    expect((await t.ctx.db('rate_limits').orderBy('key').pluck('key'))).toEqual(['forever', 'login:10.0.0.2', 'login:10.0.0.3']);
    expect(await t.ctx.db('sessions').pluck('sid')).toEqual(['live']);

    expect(await t.ctx.db('ledger_entries').orderBy('id').select()).toEqual(ledgerBefore);
    expect(await t.ctx.db('audit_log').orderBy('id').select()).toEqual(auditBefore);
    expect(await t.ctx.db('contracts').where({ id: c.id }).first('balance_kopecks')).toEqual({ balance_kopecks: 80000 });

    // a second run finds nothing more
    expect(await runRetention(t.ctx)).toEqual({ outboxBlanked: 0, recoveryCodes: 0, recoveryAttempts: 0, contactChanges: 0, rateLimits: 0, sessions: 0 });
  });

  it('works through more rows than one batch', async () => {
    const c = await makeContract(t.ctx);
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      channel: 'email', recipient: `a${i}@example.ru`, body: 'Текст', topic: 'news', contract_id: c.id, state: 'sent', next_try_at: ago(100), created_at: ago(100), idempotency_key: `news:${i}:email`,
    }));
    for (let i = 0; i < rows.length; i += 200) await t.ctx.db('outbox').insert(rows.slice(i, i + 200));
    expect((await runRetention(t.ctx)).outboxBlanked).toBe(1203);
    expect(await t.ctx.db('outbox').whereNot({ recipient: '' }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('keeps a key recognisable without the recipient in it', () => {
    expect(keyWithoutRecipient(`pay:7:sms:${PHONE}`, PHONE)).toMatch(/^pay:7:sms:#[0-9a-f]{16}$/);
    expect(keyWithoutRecipient('pay:7:email', 'a@b.ru')).toBe('pay:7:email');
    expect(keyWithoutRecipient(null, PHONE)).toBeNull();
  });

  it('is queued once a provider day at 03:30 and runs as a job', async () => {
    const jobs = createJobs(t.ctx, retentionJobHandlers(t.ctx));
    await scheduleRetention(t.ctx, jobs);
    await scheduleRetention(t.ctx, jobs);
    const queued = await t.ctx.db('jobs').where({ kind: 'retention' }).select('idempotency_key', 'run_at');
    expect(queued).toEqual([{ idempotency_key: 'retention:2026-11-24', run_at: '2026-11-23T20:30:00.000Z' }]); // 03:30 in Novokuznetsk (UTC+7)
    await t.ctx.db('sessions').insert({ sid: 'old', sess: '{}', expired: ago(1) });
    expect(await jobs.runDue()).toEqual({ done: 1, failed: 0 });
    expect(await t.ctx.db('sessions').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
