// The large benchmark seed writes exactly the generated rows (seeds/generate.ts) on either engine: on PostgreSQL in
// batches of 2 000 contracts, two at a time, so 2 500 contracts take two batches that overlap.
import { generateContract } from '../../seeds/generate';
import { seedLarge } from '../../seeds/large';
import { openTestDb, type TestDb } from '../support/engine';

const TODAY = '2026-11-24';
const TZ = 'Asia/Novokuznetsk';
const CONTRACTS = 2500;
const MONTHS = 3;

describe('the large seed', () => {
  let t: TestDb;
  let result: Awaited<ReturnType<typeof seedLarge>>;
  beforeAll(async () => {
    t = await openTestDb();
    result = await seedLarge(t.db, { contracts: CONTRACTS, months: MONTHS, today: TODAY, timeZone: TZ, now: new Date('2026-11-24T03:00:00Z'), hashPassword: async (p) => `hash:${p}` });
  }, 120_000);
  afterAll(() => t.close());

  const generated = () => Array.from({ length: CONTRACTS }, (_, i) => generateContract(i, { today: TODAY, timeZone: TZ, months: MONTHS }));

  it('writes every generated contract, with ids in the order of their numbers', async () => {
    const rows = await t.db('contracts').select('id', 'number', 'status', 'tariff_id', 'balance_kopecks', 'email').orderBy('id');
    const g = generated();
    expect(rows).toHaveLength(CONTRACTS);
    expect(rows.map((r) => r.number)).toEqual(g.map((c) => c.contract.number));
    expect(rows.map((r) => [r.status, r.tariff_id, r.balance_kopecks, r.email])).toEqual(g.map((c) => [c.contract.status, c.contract.tariff_id, c.balance, c.contract.email]));
    expect(result.contracts).toBe(CONTRACTS);
  });

  it('gives each contract its own phones, services, ledger entries and payments', async () => {
    const byKey = async (table: string, cols: string[]) =>
      new Map((await t.db(`${table} as x`).join('contracts as c', 'c.id', 'x.contract_id').select('c.number', ...cols.map((col) => `x.${col}`)).orderBy('x.id')).map((r) => [r.idempotency_key ?? `${r.number}:${r.phone ?? r.service_id}`, r]));
    const entries = await byKey('ledger_entries', ['kind', 'amount_kopecks', 'idempotency_key', 'occurred_at', 'period_from', 'period_to']);
    const payments = await byKey('payments', ['amount_kopecks', 'status', 'idempotency_key', 'created_at', 'ledger_entry_id']);
    const phones = await byKey('contract_phones', ['phone']);
    const services = await byKey('contract_services', ['service_id', 'from_day']);
    const g = generated();
    expect(entries.size).toBe(g.reduce((n, c) => n + c.entries.length, 0));
    expect(payments.size).toBe(g.reduce((n, c) => n + c.payments.length, 0));
    expect(entries.size).toBe(result.ledgerEntries);
    for (const c of g) {
      const number = c.contract.number;
      for (const e of c.entries) {
        expect(entries.get(e.idempotency_key)).toEqual({ number, kind: e.kind, amount_kopecks: e.amount_kopecks, idempotency_key: e.idempotency_key, occurred_at: e.occurred_at, period_from: e.period_from ?? null, period_to: e.period_to ?? null });
      }
      for (const p of c.payments) expect(payments.get(p.idempotency_key)).toMatchObject({ number, amount_kopecks: p.amount_kopecks, status: p.status, created_at: p.created_at });
      for (const phone of c.phones) expect(phones.get(`${number}:${phone}`)).toBeTruthy();
      for (const s of c.services) expect(services.get(`${number}:${s.service_id}`)).toMatchObject({ from_day: s.from_day });
    }
    expect(phones.size).toBe(g.reduce((n, c) => n + c.phones.length, 0));
    expect(services.size).toBe(g.reduce((n, c) => n + c.services.length, 0));
  });

  it('links every succeeded payment to the ledger entry with its key, and keeps every balance equal to its ledger', async () => {
    const links = await t.db('payments as p').leftJoin('ledger_entries as l', 'l.id', 'p.ledger_entry_id').select('p.status', 'p.idempotency_key', 'l.idempotency_key as entry_key', 'l.contract_id as entry_contract', 'p.contract_id');
    for (const p of links) {
      if (p.status === 'succeeded') expect([p.entry_key, p.entry_contract]).toEqual([p.idempotency_key, p.contract_id]);
      else expect(p.entry_key).toBeNull();
    }
    const off = await t.db('contracts as c')
      .whereRaw('c.balance_kopecks <> coalesce((select sum(l.amount_kopecks) from ledger_entries l where l.contract_id = c.id), 0)')
      .count({ n: '*' })
      .first();
    expect(Number(off?.n)).toBe(0);
  });
});
