// The demo provider: towns, contacts, tariffs, 200 contracts with two years of charges and payments, the demo
// subscriber 100001 / centra2026 and the staff account admin / admin-demo-2026. All in one transaction:
// a kill in the middle leaves an empty database, and the next start seeds it again.
import { importHistory } from '../src/billing/service';
import { inTransaction, syncIdSequences, type Db, type Trx } from '../src/db';
import type { Day } from '../src/lib/dates';
import { generateContract } from './generate';
import { BANK_DETAILS, CONTACT_PHONES, DEMO, OFFICES, SERVICES, TARIFFS, TOWNS, seedStaff } from './provider';

export const DEMO_CONTRACTS = 200;
export const DEMO_MONTHS = 24;

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db('towns').count({ n: '*' }).first<{ n: number }>();
  return Number(row?.n ?? 0) === 0;
}

/** Towns, contacts, offices and tariffs: what every seed (demo or large) starts with. */
export async function seedProvider(trx: Trx): Promise<void> {
  await trx('towns').insert(TOWNS);
  await trx('contact_phones').insert(CONTACT_PHONES);
  await trx('offices').insert(OFFICES);
  await trx('provider_bank_details').insert(BANK_DETAILS);
  await trx('tariffs').insert(TARIFFS.map(({ towns: _towns, ...t }, i) => ({ ...t, position: i + 1 })));
  await trx('tariff_towns').insert(TARIFFS.flatMap((t) => t.towns.map((town_id) => ({ tariff_id: t.id, town_id }))));
  await trx('services').insert(SERVICES);
  await syncIdSequences(trx, ['towns', 'tariffs', 'services']); // inserted with their ids: PostgreSQL's sequences follow
}

export type SeedOptions = { today: Day; timeZone: string; now: Date; hashPassword: (p: string) => Promise<string>; contracts?: number; months?: number };

export async function seedDemo(db: Db, o: SeedOptions): Promise<{ contracts: number }> {
  const count = o.contracts ?? DEMO_CONTRACTS;
  const passwordHash = await o.hashPassword(DEMO.password); // every demo contract signs in with the same password
  const nowIso = o.now.toISOString();
  await inTransaction(db, async (trx) => {
    await seedProvider(trx);
    await seedStaff(trx, o.hashPassword, nowIso);
    for (let i = 0; i < count; i++) {
      const g = generateContract(i, { today: o.today, timeZone: o.timeZone, months: o.months ?? DEMO_MONTHS });
      const [{ id: contractId }] = await trx('contracts').insert({ ...g.contract, password_hash: passwordHash, balance_kopecks: 0, updated_at: nowIso }).returning('id');
      if (g.phones.length) await trx('contract_phones').insert(g.phones.map((phone) => ({ contract_id: contractId, phone, created_at: g.contract.created_at })));
      if (g.services.length) await trx('contract_services').insert(g.services.map((cs) => ({ ...cs, contract_id: contractId })));
      await importHistory(trx, contractId, g.entries.map((e) => ({ ...e, contract_id: contractId })), nowIso);
      await trx.batchInsert('payments', g.payments.map((p) => ({ ...p, contract_id: contractId, ledger_entry_id: null })), 200).transacting(trx);
    }
    // A succeeded payment and its ledger entry share the idempotency key: link them in one statement.
    // The history above charges every contract through today: the daily charge run starts tomorrow.
    await trx('charge_days').insert({ day: o.today, contracts_charged: 0, total_kopecks: 0, finished_at: nowIso });
    await trx.raw(
      `update payments set ledger_entry_id = (select id from ledger_entries l where l.idempotency_key = payments.idempotency_key) where status = 'succeeded'`,
    );
  });
  return { contracts: count };
}
