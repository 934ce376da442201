// Moving over (src/copy): the demo database on SQLite, with a row in every table, copied into an empty PostgreSQL
// database gives the same rows, the same balances, working sequences and the ledger still append-only; a non-empty
// target, a target migrated by a newer version and a source with pending migrations are refused, nothing written.
// Needs PostgreSQL: runs with KABINET_TEST_ENGINE=postgres (npm run test:pg), skipped on the SQLite run.
import { randomBytes } from 'node:crypto';
import { seedDemo } from '../../seeds/demo';
import { copyToPostgres, CopyRefused, foreignKeyOrder, type CopyReport } from '../../src/copy/service';
import { postgresForeignKeys, postgresTables, sqliteTables } from '../../src/copy/queries';
import { migrate, openDb, type Db } from '../../src/db';
import { failureOf } from '../support/app';
import { pgRows, describePostgres } from '../support/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { withDatabase } = require('../support/postgres');

jest.setTimeout(120_000);

const NOW = '2026-11-24T05:00:00.000Z';

/**
 * A row for every table the demo seed leaves empty, so that every table (and every kind of column: booleans, JSON,
 * timestamps, big integers) is copied and checked. A new table fails "has a row in every table" until it gets one here.
 */
async function fillEveryTable(db: Db): Promise<void> {
  const entry = await db('ledger_entries').where({ contract_id: 1 }).orderBy('id').first();
  const payment = await db('payments').where({ contract_id: 1 }).orderBy('id').first();
  const at = NOW;
  await db('connection_requests').insert({ phone: '+79131234567', name: 'Гость', address: 'ул. Кирова, 1', status: 'new', created_at: at });
  await db('feedback').insert({ name: 'Гость', phone: '+79131234567', email: 'g@example.ru', question: 'Вопрос', status: 'new', created_at: at });
  await db('heartbeats').insert({ name: 'scheduler', at, detail: 'tick' });
  await db('jobs').insert({ kind: 'charge_day', run_at: at, payload: '{"day":"2026-11-25"}', idempotency_key: 'job:1', status: 'queued', attempts: 0, created_at: at });
  await db('rate_limits').insert({ key: 'login:100001', points: 3, expire: Date.parse(NOW) + 3_600_000 });
  await db('sandbox_cards').insert({ id: 'card-1', last4: '4242', status: 'active', created_at: at });
  await db('sandbox_payments').insert({
    id: 'sbx-1', idempotence_key: 'idem-1', amount_kopecks: 50000, currency: 'RUB', description: 'Оплата', return_url: 'http://127.0.0.1/', status: 'succeeded',
    save_payment_method: true, payment_method_id: 'pm-1', metadata: '{}', receipt: null, created_at: at, updated_at: at,
  });
  await db('sandbox_refunds').insert({ id: 'rf-1', idempotence_key: 'idem-rf-1', payment_id: 'sbx-1', amount_kopecks: 100, created_at: at });
  // connect-session-knex's row on SQLite: the session as JSON text, the expiry as ISO text
  await db('sessions').insert({ sid: 'sid-1', sess: JSON.stringify({ cookie: { httpOnly: true }, passport: { user: 'c:1' }, csrfToken: 'x' }), expired: '2026-12-24T05:00:00.000Z', contract_id: 1 });
  await db('audit_log').insert({ at, actor: 'subscriber', actor_id: 1, contract_id: 1, action: 'login', ip: '127.0.0.1', detail: '{}' });
  await db('autopay').insert({
    contract_id: 1, status: 'on', rule: 'monthly', amount_kopecks: 60000, day: 5, gateway: 'sandbox', payment_method_id: 'pm-1', card_mask: '**** 4242',
    terms_version: '1', terms_text: 'Условия', terms_accepted_at: at, created_at: at, updated_at: at,
  });
  await db('autopay_charges').insert({ contract_id: 1, period: '2026-12', amount_kopecks: 60000, status: 'planned', attempts: 0, payment_id: payment.id, created_at: at, updated_at: at });
  await db('autopay_consents').insert({ contract_id: 1, payment_id: payment.id, rule: 'monthly', amount_kopecks: 60000, day: 5, terms_version: '1', terms_text: 'Условия', accepted_at: at, kind: 'on' });
  await db('cabinet_views').insert({ staff_id: 1, contract_id: 1, token_hash: 'v1', created_at: at, claimed_at: at, ended_at: at });
  await db('contact_changes').insert({ contract_id: 1, kind: 'email', value: 'new@example.ru', secret_hash: 'h1', wrong_tries: 0, created_at: at, expires_at: at });
  await db('notifications').insert({ contract_id: 1, topic: 'payment', title: 'Оплата', body: 'Зачислено', idempotency_key: 'n:1', created_at: at });
  await db('outbox').insert({ channel: 'sms', recipient: '+79131234567', body: 'Код 123456', topic: 'recovery', contract_id: 1, one_time_code: true, state: 'queued', attempts: 0, next_try_at: at, idempotency_key: 'o:1', created_at: at });
  const [{ id: attemptId }] = await db('recovery_attempts').insert({ token_hash: 't1', contract_id: 1, ip: '127.0.0.1', state: 'code_sent', wrong_tries: 0, created_at: at, expires_at: at }).returning('id');
  await db('recovery_codes').insert({ attempt_id: attemptId, contract_id: 1, phone: '+79131234567', code_hash: 'c1', created_at: at, expires_at: at });
  await db('subscriptions').insert({ contract_id: 1, topic: 'payment', channel: 'email', enabled: false, consent_at: at, updated_at: at });
  await db('tariff_changes').insert({ contract_id: 1, from_tariff_id: 1, to_tariff_id: 2, effective_day: '2026-12-01', status: 'planned', created_at: at, request_key: 'tc:1' });
  await db('voluntary_blocks').insert({ contract_id: 2, from_day: '2026-12-01', to_day: '2026-12-10', status: 'planned', created_at: at, request_key: 'vb:1' });
  await db('contract_status_changes').insert({ contract_id: 1, from_status: 'active', to_status: 'blocked', cause: 'balance_below_limit', ledger_entry_id: entry.id, at });
  await db('promised_payments').insert({ contract_id: 1, amount_kopecks: 10000, taken_at: at, due_at: at, status: 'repaid', repaid_late: true, credit_entry_id: entry.id, repayment_entry_id: entry.id });
  await db('payment_refunds').insert({ payment_id: payment.id, gateway_refund_id: 'rf-1', amount_kopecks: 100, ledger_entry_id: entry.id, created_at: at });
  // the operators' console (issue 11) and the testers' clock (issue 14)
  await db('corrections').insert({ contract_id: 1, ledger_entry_id: entry.id, staff_id: 1, amount_kopecks: -100, reason: 'Ошибка', balance_before_kopecks: 0, balance_after_kopecks: -100, created_at: at });
  const [{ id: registerId }] = await db('bank_registers').insert({ file_name: 'r.csv', format: 'csv', encoding: 'utf-8', sha256: 'a'.repeat(64), uploaded_by: 1, uploaded_at: at }).returning('id');
  await db('bank_register_rows').insert({ register_id: registerId, line: 2, doc_number: '1', doc_date: '2026-11-24', amount_kopecks: 50000, contract_number: '100001', contract_id: 1, status: 'unmatched', payment_key: 'bank:x' });
  const [{ id: requestId }] = await db('connection_requests').insert({ phone: '+79131234568', status: 'called', created_at: at }).returning('id');
  await db('connection_request_events').insert({ request_id: requestId, staff_id: 1, from_status: 'new', to_status: 'called', note: 'Позвонили', at });
  await db('tariff_price_changes').insert({ tariff_id: 1, fee_kopecks: 70000, from_day: '2027-01-01', previous_fee_kopecks: 60000, notice_text: 'Цена', created_by: 1, created_at: at });
  await db('test_clock').insert({ name: 'clock', at, since: at, changed_by: 'test', changed_at: at });
}

async function demoSource(): Promise<Db> {
  const db = openDb(':memory:');
  await migrate(db);
  await seedDemo(db, { now: new Date(NOW), today: '2026-11-24', timeZone: 'Asia/Novokuznetsk', hashPassword: async (p) => `hash:${p}` });
  await fillEveryTable(db);
  return db;
}

/** An empty, unmigrated PostgreSQL database on the suite's server. */
async function emptyTarget(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const admin = process.env.KABINET_TEST_DATABASE_URL!;
  const name = `kabinet_copy_${process.pid}_${randomBytes(4).toString('hex')}`;
  await pgRows(admin, `create database ${name}`);
  const db = openDb(withDatabase(admin, name), { poolMax: 4 });
  return {
    db,
    drop: async () => {
      await db.destroy();
      await pgRows(admin, `drop database if exists ${name} with (force)`);
    },
  };
}

const moneyOf = (db: Db) => db('contracts').orderBy('number').select('number', 'balance_kopecks', 'status');

describePostgres('copy-to-postgres', () => {
  let source: Db;
  let target: { db: Db; drop: () => Promise<void> };
  let report: CopyReport;

  beforeAll(async () => {
    source = await demoSource();
    target = await emptyTarget();
    report = await copyToPostgres(source, target.db, { batchRows: 1000 });
  });
  afterAll(async () => {
    await target?.drop();
    await source?.destroy();
  });

  it('has a row in every table of the source, so that every table is copied and checked (add one to fillEveryTable for a new table)', async () => {
    const empty: string[] = [];
    for (const table of await sqliteTables(source)) {
      if (table.startsWith('knex_migrations')) continue;
      const row = await source(table).count({ n: '*' }).first();
      if (Number(row?.n) === 0) empty.push(table);
    }
    expect(empty).toEqual([]);
  });

  it('copies every table but knex’s own, with the same row counts, and says so', async () => {
    const tables = (await postgresTables(target.db)).filter((t) => !t.startsWith('knex_migrations'));
    expect(report.tables.map((t) => t.table).sort()).toEqual(tables);
    expect(report.tables.map((t) => t.table).sort()).toEqual((await sqliteTables(source)).filter((t) => !t.startsWith('knex_migrations')));
    for (const t of report.tables) expect([t.table, t.target]).toEqual([t.table, t.source]);
    expect(report.ok).toBe(true);
    expect(report.moneyMismatches).toEqual([]);
    expect(report.contracts).toBe(200);
  });

  it('shows the same balance for every contract on both sides, each equal to its ledger', async () => {
    expect(await moneyOf(target.db)).toEqual(await moneyOf(source));
    const off = await target.db('contracts as c')
      .whereRaw('c.balance_kopecks <> coalesce((select sum(l.amount_kopecks) from ledger_entries l where l.contract_id = c.id), 0)')
      .count({ n: '*' })
      .first();
    expect(Number(off?.n)).toBe(0);
    const demo = await target.db('contracts').where({ number: '100001' }).first();
    expect(demo.balance_kopecks).toBeGreaterThan(0);
  });

  it('writes booleans as booleans, JSON as JSON and timestamps as timestamps', async () => {
    expect(await target.db('tariffs').orderBy('id').pluck('archived')).toEqual((await source('tariffs').orderBy('id').pluck('archived')).map(Boolean));
    expect((await target.db('tariffs').where({ archived: true })).length).toBeGreaterThan(0);
    expect(await target.db('staff').pluck('active')).toEqual((await source('staff').pluck('active')).map(Boolean));
    expect(await target.db('staff').pluck('active')).toContain(true);
    expect(await target.db('subscriptions').pluck('enabled')).toEqual([false]);
    expect(await target.db('outbox').pluck('one_time_code')).toEqual([true]);
    expect(await target.db('promised_payments').pluck('repaid_late')).toEqual([true]);
    const session = await target.db('sessions').where({ sid: 'sid-1' }).first();
    expect(session.sess).toEqual({ cookie: { httpOnly: true }, passport: { user: 'c:1' }, csrfToken: 'x' });
    expect(new Date(session.expired).toISOString()).toBe('2026-12-24T05:00:00.000Z');
    const json = await target.db.raw(`select sess->'passport'->>'user' as u from sessions where sid = 'sid-1'`);
    expect(json.rows[0].u).toBe('c:1');
    expect(Number((await target.db('rate_limits').first()).expire)).toBe(Date.parse(NOW) + 3_600_000);
  });

  it('sets every sequence past the copied ids: new rows get the next id', async () => {
    const maxContract = Number((await target.db('contracts').max({ m: 'id' }).first())?.m);
    const [{ id: contractId }] = await target.db('contracts')
      .insert({ number: '999999', name: 'Новый', town_id: 1, address: 'ул. Новая', password_hash: 'x', status: 'active', tariff_id: 1, balance_kopecks: 0, created_at: NOW, updated_at: NOW })
      .returning('id');
    expect(contractId).toBe(maxContract + 1);
    const maxEntry = Number((await target.db('ledger_entries').max({ m: 'id' }).first())?.m);
    const [{ id: entryId }] = await target.db('ledger_entries')
      .insert({ contract_id: contractId, kind: 'correction', amount_kopecks: 0, description: 'Проверка', idempotency_key: 'copy-test:1', occurred_at: NOW })
      .returning('id');
    expect(entryId).toBe(maxEntry + 1);
    const [{ id: jobId }] = await target.db('jobs').insert({ kind: 'x', run_at: NOW, idempotency_key: 'job:2', created_at: NOW }).returning('id');
    expect(jobId).toBe(2);
  });

  it('leaves the ledger append-only on the target', async () => {
    expect(await failureOf(target.db('ledger_entries').where({ contract_id: 1 }).update({ amount_kopecks: 1 }))).toMatch(/append-only/);
    expect(await failureOf(target.db('ledger_entries').where({ contract_id: 1 }).del())).toMatch(/append-only/);
  });

  it('refuses a target that is not empty, and writes nothing', async () => {
    const before = await target.db('ledger_entries').count({ n: '*' }).first();
    const err = await copyToPostgres(source, target.db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyRefused);
    expect(String(err)).toMatch(/^CopyRefused: the target database is not empty \(rows in audit_log, autopay, .+ and \d+ more\): copy only into an empty database$/);
    expect(await target.db('ledger_entries').count({ n: '*' }).first()).toEqual(before);
  });
});

describePostgres('copy-to-postgres refuses', () => {
  it('a source with pending migrations, before touching the target', async () => {
    const source = openDb(':memory:');
    const target = await emptyTarget();
    try {
      await migrate(source);
      const last = await source('knex_migrations').orderBy('id', 'desc').first();
      await source('knex_migrations').where({ id: last.id }).del(); // as a database an older Kabinet left
      const err = await copyToPostgres(source, target.db).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyRefused);
      expect(String(err)).toContain(`the source database has 1 pending migration(s) (${last.name}): apply them first`);
      expect(await postgresTables(target.db)).toEqual([]); // not even migrated
    } finally {
      await target.drop();
      await source.destroy();
    }
  });

  it('a source that was never migrated', async () => {
    const source = openDb(':memory:');
    const target = await emptyTarget();
    try {
      expect(String(await copyToPostgres(source, target.db).catch((e: unknown) => e))).toMatch(/the source database has \d+ pending migration\(s\)/);
    } finally {
      await target.drop();
      await source.destroy();
    }
  });

  it('a target migrated by a newer version', async () => {
    const source = openDb(':memory:');
    const target = await emptyTarget();
    try {
      await migrate(source);
      await migrate(target.db);
      await target.db('knex_migrations').insert({ name: '20991231000000_from_the_future', batch: 2, migration_time: new Date() });
      const err = await copyToPostgres(source, target.db).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyRefused);
      expect(String(err)).toContain('the target database has migrations this version does not know (20991231000000_from_the_future)');
    } finally {
      await target.drop();
      await source.destroy();
    }
  });
});

describePostgres('the check after the copy', () => {
  it('reports a contract whose cached balance differs from its ledger, and the verdict is not ok', async () => {
    const source = openDb(':memory:');
    const target = await emptyTarget();
    try {
      await migrate(source);
      await seedDemo(source, { now: new Date(NOW), today: '2026-11-24', timeZone: 'Asia/Novokuznetsk', hashPassword: async (p) => p, contracts: 3 });
      await source('contracts').where({ number: '100002' }).increment('balance_kopecks', 100); // a cache out of step
      const r = await copyToPostgres(source, target.db);
      expect(r.ok).toBe(false);
      expect(r.tables.every((t) => t.source === t.target)).toBe(true);
      expect(r.moneyMismatches.map((m) => m.number)).toEqual(['100002']);
      const m = r.moneyMismatches[0];
      expect(m.source!.balance - m.source!.ledger).toBe(100);
      expect(m.target).toEqual(m.source);
    } finally {
      await target.drop();
      await source.destroy();
    }
  });
});

describePostgres('the order of the copy', () => {
  it('puts every table after the tables it references, on the real schema', async () => {
    const target = await emptyTarget();
    try {
      await migrate(target.db);
      const tables = (await postgresTables(target.db)).filter((t) => !t.startsWith('knex_migrations'));
      const refs = await postgresForeignKeys(target.db);
      const order = foreignKeyOrder(tables, refs);
      expect([...order].sort()).toEqual(tables);
      for (const r of refs) if (r.table !== r.references) expect(order.indexOf(r.table)).toBeGreaterThan(order.indexOf(r.references));
    } finally {
      await target.drop();
    }
  });
});

describe('foreignKeyOrder', () => {
  it('refuses references that go round in a cycle, and ignores a table referencing itself', () => {
    expect(() => foreignKeyOrder(['a', 'b', 'c'], [{ table: 'a', references: 'b' }, { table: 'b', references: 'a' }])).toThrow(/form a cycle/);
    expect(foreignKeyOrder(['b', 'a', 'c'], [{ table: 'a', references: 'c' }, { table: 'c', references: 'c' }])).toEqual(['b', 'c', 'a']);
  });
});
