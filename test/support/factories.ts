// Small factories: each test makes exactly the rows it needs, never the demo seed.
import { createPasswordHasher } from '../../src/auth/passwords';
import { postEntry } from '../../src/billing/service';
import type { AppContext } from '../../src/context';

let seq = 0;
const next = () => ++seq;

export async function makeTown(ctx: AppContext, over: Partial<{ slug: string; name: string }> = {}) {
  const n = next();
  const [{ id }] = await ctx.db('towns').insert({ slug: over.slug ?? `town${n}`, name: over.name ?? `Город ${n}`, position: n }).returning('id');
  return { id: id as number };
}

export async function makeTariff(ctx: AppContext, over: Partial<{ name: string; fee: number; segment: string; archived: boolean; townIds: number[] }> = {}) {
  const n = next();
  const [{ id }] = await ctx.db('tariffs').insert({
    code: `t${n}`, name: over.name ?? `Тариф ${n}`, segment: over.segment ?? 'flat', internet_mbps: 100,
    monthly_fee_kopecks: over.fee ?? 60000, archived: over.archived ?? false, position: n,
  }).returning('id');
  for (const town_id of over.townIds ?? []) await ctx.db('tariff_towns').insert({ tariff_id: id, town_id });
  return { id: id as number };
}

export type ContractOver = Partial<{
  number: string; password: string; name: string; status: 'active' | 'blocked'; fee: number; phones: string[];
  payments: { amount: number; at: string; method?: string; status?: string }[];
}>;

export async function makeContract(ctx: AppContext, over: ContractOver = {}) {
  const n = next();
  const town = await makeTown(ctx);
  const tariff = await makeTariff(ctx, { fee: over.fee, townIds: [town.id] });
  const hasher = createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);
  const now = ctx.clock.now().toISOString();
  const number = over.number ?? String(200000 + n);
  const [{ id }] = await ctx.db('contracts').insert({
    number, name: over.name ?? `Абонент ${n}`, town_id: town.id, address: `ул. Тестовая, д. ${n}`, email: null,
    password_hash: await hasher.hash(over.password ?? 'correct horse'), status: over.status ?? 'active',
    tariff_id: tariff.id, balance_kopecks: 0, created_at: now, updated_at: now,
  }).returning('id');
  for (const phone of over.phones ?? []) await ctx.db('contract_phones').insert({ contract_id: id, phone, created_at: now });
  let k = 0;
  for (const p of over.payments ?? []) {
    const key = `test:${id}:${++k}`;
    await ctx.db.transaction(async (trx) => {
      let entryId: number | null = null;
      if ((p.status ?? 'succeeded') === 'succeeded') {
        entryId = (await postEntry(trx, { contract_id: id, kind: 'payment', amount_kopecks: p.amount, description: 'Оплата', idempotency_key: key, occurred_at: p.at })).entryId;
      }
      await trx('payments').insert({ contract_id: id, amount_kopecks: p.amount, method: p.method ?? 'card', status: p.status ?? 'succeeded', ledger_entry_id: entryId, idempotency_key: key, created_at: p.at });
    });
  }
  return { id: id as number, number, password: over.password ?? 'correct horse', townId: town.id, tariffId: tariff.id };
}

/** n payments, one a day going back from `lastDay` (UTC noon), amounts 100 ₽, 101 ₽, ... */
export function dailyPayments(n: number, lastDay = '2026-11-23') {
  const end = new Date(`${lastDay}T05:00:00.000Z`).getTime();
  return Array.from({ length: n }, (_, i) => ({ amount: 10000 + i * 100, at: new Date(end - i * 86_400_000).toISOString() }));
}
