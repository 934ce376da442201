// Deterministic demo contracts: the same seed and the same "today" give the same rows, and contract N is the
// same whatever the count (the large benchmark seed starts with the demo contracts). Each contract gets two
// years (or `months`) of monthly charges and of payments; a contract whose balance went below zero is
// blocked and not charged, as the billing rules say. The current month is played day by day as the engine would
// (charged at 00:05 while active, blocked below 0, unblocked and charged that day by a payment), so every contract
// is left in a state the engine itself produces: a blocked one is charged through the day it fell below 0, not
// through today, and the charge entries' periods say which days are charged (the engine never takes them again).
import type { LedgerEntryInput } from '../src/billing/queries';
import { chargeForDays } from '../src/billing/forecast';
import { addDays, atLocalTime, daysInMonth, pad, splitDay, type Day } from '../src/lib/dates';
import { DEMO, TARIFFS } from './provider';

export type GeneratedPayment = { amount_kopecks: number; method: string; status: string; created_at: string; idempotency_key: string };
export type GeneratedContract = {
  contract: { number: string; name: string; town_id: number; address: string; email: string | null; status: 'active' | 'blocked'; tariff_id: number; created_at: string };
  phones: string[];
  /** Extra services, from tomorrow: the generated history charges the tariff alone. */
  services: { service_id: number; from_day: Day }[];
  entries: Omit<LedgerEntryInput, 'contract_id'>[];
  payments: GeneratedPayment[];
  balance: number;
};

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев'];
const MALE = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Николай', 'Иван', 'Михаил', 'Евгений', 'Владимир'];
const FEMALE = ['Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Светлана', 'Анна', 'Мария', 'Юлия', 'Галина'];
const PATRONYMIC_ROOTS = ['Александров', 'Сергеев', 'Иванов', 'Петров', 'Николаев', 'Викторов', 'Михайлов', 'Владимиров'];
const STREETS: Record<number, string[]> = {
  1: ['ул. Кирова', 'пр. Металлургов', 'ул. Ленина', 'пр. Бардина', 'ул. Орджоникидзе', 'ул. Транспортная', 'пр. Строителей', 'ул. Тольятти'],
  2: ['ул. Победы', 'ул. Ленина', 'ул. Советская', 'ул. Шахтёрская', 'ул. Кирова'],
};
const FIRMS = ['ООО «Кузбасс-Сервис»', 'ООО «Альфа»', 'ИП Соколов А. В.', 'ООО «Меридиан»', 'ООО «Уголёк»', 'ИП Егорова Н. С.'];
const METHODS = ['card', 'card', 'bank', 'office'];

const pick = <T>(rng: () => number, xs: T[]): T => xs[Math.floor(rng() * xs.length)];

function personName(rng: () => number): string {
  const female = rng() < 0.5;
  const surname = pick(rng, SURNAMES) + (female ? 'а' : '');
  const first = pick(rng, female ? FEMALE : MALE);
  const patronymic = pick(rng, PATRONYMIC_ROOTS) + (female ? 'на' : 'ич');
  return `${surname} ${first} ${patronymic}`;
}

function chooseTariff(rng: () => number, townId: number) {
  const r = rng();
  const segment = r < 0.75 ? 'flat' : r < 0.92 ? 'house' : 'business';
  if (segment === 'flat' && rng() < 0.06) return TARIFFS.find((t) => t.archived)!;
  const options = TARIFFS.filter((t) => !t.archived && t.segment === segment && t.towns.includes(townId));
  return pick(rng, options);
}

export type GenerateOptions = { today: Day; timeZone: string; months: number; seed?: number };

/**
 * The instant a day begins, when the day keeps one UTC offset from 00:00 to 23:59 (else null). The zone's offset is
 * read once per day, not per entry: asking Intl for it was most of a large seed's time.
 */
const uniformDays = new Map<string, number | null>();
function uniformDayStart(day: Day, tz: string): number | null {
  const key = `${tz}|${day}`;
  let start = uniformDays.get(key);
  if (start === undefined) {
    const first = atLocalTime(day, 0, 0, tz).getTime();
    const last = atLocalTime(day, 23, 59, tz).getTime();
    start = last - first === (23 * 60 + 59) * 60_000 ? first : null;
    uniformDays.set(key, start);
  }
  return start;
}

/** The provider day `day` at hh:mm local time, as a UTC ISO string (atLocalTime, read once per day). */
function at(day: Day, hh: number, mm: number, tz: string): string {
  const start = uniformDayStart(day, tz);
  return (start === null ? atLocalTime(day, hh, mm, tz) : new Date(start + (hh * 60 + mm) * 60_000)).toISOString();
}

export function generateContract(index: number, o: GenerateOptions): GeneratedContract {
  const rng = mulberry32((o.seed ?? 2026) * 1_000_003 + index);
  const number = String(100001 + index);
  const isDemo = number === DEMO.contract;
  const town_id = isDemo ? 1 : rng() < 0.8 ? 1 : 2;
  const tariff = isDemo ? TARIFFS.find((t) => t.id === DEMO.tariffId)! : chooseTariff(rng, town_id);
  const street = pick(rng, STREETS[town_id]);
  const house = 1 + Math.floor(rng() * 120);
  const address =
    tariff.segment === 'flat' ? `${street}, д. ${house}, кв. ${1 + Math.floor(rng() * 200)}` : tariff.segment === 'house' ? `${street}, д. ${house}` : `${street}, д. ${house}, офис ${1 + Math.floor(rng() * 30)}`;
  const name = isDemo ? DEMO.name : tariff.segment === 'business' ? pick(rng, FIRMS) : personName(rng);

  const phoneCount = isDemo ? 2 : rng() < 0.05 ? 0 : rng() < 0.3 ? 2 : 1;
  const phones = isDemo ? DEMO.phones : Array.from({ length: phoneCount }, () => `+79${pick(rng, ['13', '05', '23', '50'])}${String(Math.floor(rng() * 1e7)).padStart(7, '0')}`);
  const email = isDemo ? DEMO.email : rng() < 0.6 ? `abonent${number}@example.ru` : null;

  const [ty, tm, td] = splitDay(o.today);
  const firstMonth = isDemo || rng() < 0.7 ? 0 : Math.floor(rng() * (o.months - 1));
  const kind = isDemo ? 'demo' : rng() < 0.8 ? 'reliable' : rng() < 0.6 ? 'late' : 'quitter';
  const quitAt = o.months - 1 - Math.floor(rng() * 3); // a quitter pays no more from this month on

  const entries: GeneratedContract['entries'] = [];
  const payments: GeneratedPayment[] = [];
  let balance = 0;
  let n = 0;
  let created_at = '';
  const fee = tariff.monthly_fee_kopecks;

  const paidOn = new Map<string, Day>(); // a payment entry's key -> its provider day (the day it was made on)
  const pay = (day: Day, amount: number, method: string, status = 'succeeded') => {
    const key = `seed:payment:${number}:${++n}`;
    const created = at(day, 8 + Math.floor(rng() * 13), Math.floor(rng() * 60), o.timeZone);
    payments.push({ amount_kopecks: amount, method, status, created_at: created, idempotency_key: key });
    if (status !== 'succeeded') return;
    paidOn.set(key, day);
    entries.push({ kind: 'payment', amount_kopecks: amount, description: 'Оплата', idempotency_key: key, occurred_at: created });
    balance += amount;
  };

  for (let m = firstMonth; m <= o.months; m++) {
    const monthStart = new Date(Date.UTC(ty, tm - 1 - (o.months - m), 1));
    const y = monthStart.getUTCFullYear();
    const mo = monthStart.getUTCMonth() + 1;
    const dim = daysInMonth(y, mo);
    const current = m === o.months;
    const lastDay = current ? td : dim;
    const firstDay: Day = `${y}-${pad(mo)}-01`;
    if (!created_at) created_at = at(firstDay, 10, 0, o.timeZone);
    const payDay = (max: number) => `${y}-${pad(mo)}-${pad(1 + Math.floor(rng() * Math.max(1, max)))}`;
    const payable = current ? td - 1 : dim; // this month's payments happened before today

    const mark = entries.length; // this month's payments start here
    const balanceAtStart = balance;
    if (payable >= 1) {
      if (isDemo) {
        const count = 2 + Math.floor(rng() * 2);
        for (let k = 0; k < count; k++) pay(payDay(payable), [30000, 40000, 50000][k % 3], METHODS[(m + k) % METHODS.length]);
        if (m % 9 === 4) pay(payDay(payable), 50000, 'card', 'canceled');
      } else if (kind === 'reliable' || (kind === 'late' && rng() < 0.8) || (kind === 'quitter' && m < quitAt)) {
        const amount = Math.ceil(fee / 5000) * 5000 + (rng() < 0.2 ? 50000 : 0);
        pay(payDay(Math.min(payable, 28)), amount, pick(rng, METHODS));
      }
    }

    if (current) {
      // This month, as the engine itself would have done it (src/billing): each day at 00:05 an active contract is
      // charged that day's share and blocked when the balance falls below 0; a payment that brings a blocked one back
      // to 0 or above unblocks it and that day is charged then. Charged days in a row make one entry (its period).
      const paid = entries.splice(mark).sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
      balance = balanceAtStart;
      let blocked = balance < 0;
      const periods: { from: number; to: number; at: string }[] = [];
      const chargeDay = (d: number, when: string) => {
        const last = periods[periods.length - 1];
        if (last && last.to === d) return; // charged already that day
        if (last && last.to === d - 1) last.to = d;
        else periods.push({ from: d, to: d, at: when });
        balance -= chargeForDays(fee, dim, d, d);
        if (balance < 0) blocked = true;
      };
      for (let d = 1; d <= lastDay; d++) {
        const day: Day = `${y}-${pad(mo)}-${pad(d)}`;
        if (!blocked) chargeDay(d, at(day, 0, 5, o.timeZone));
        for (const p of paid.filter((e) => paidOn.get(e.idempotency_key) === day)) {
          entries.push(p);
          balance += p.amount_kopecks;
          if (blocked && balance >= 0) {
            blocked = false;
            chargeDay(d, p.occurred_at);
          }
        }
      }
      for (const r of periods) {
        const to: Day = `${y}-${pad(mo)}-${pad(r.to)}`;
        entries.push({
          kind: 'charge', amount_kopecks: -chargeForDays(fee, dim, r.from, r.to), description: `Абонентская плата «${tariff.name}»`,
          period_from: `${y}-${pad(mo)}-${pad(r.from)}`, period_to: to,
          idempotency_key: r.from === 1 ? `seed:charge:${number}:${y}-${pad(mo)}` : `seed:charge:${number}:${y}-${pad(mo)}-${pad(r.from)}`,
          occurred_at: r.from === r.to ? r.at : at(to, 0, 5, o.timeZone),
        });
      }
    } else if (balance >= 0) {
      // A past month: its charge in one entry (the engine's daily ones summed), taken when the month's money left
      // the balance at 0 or above; a month that ended below 0 blocks the contract and the next one is not charged.
      const amount = chargeForDays(fee, dim, 1, lastDay);
      const chargeDay = `${y}-${pad(mo)}-${pad(lastDay)}`;
      entries.push({
        kind: 'charge', amount_kopecks: -amount, description: `Абонентская плата «${tariff.name}»`,
        period_from: firstDay, period_to: chargeDay, idempotency_key: `seed:charge:${number}:${y}-${pad(mo)}`,
        occurred_at: at(chargeDay, 0, 5, o.timeZone),
      });
      balance -= amount;
    }
  }

  if (isDemo && balance < 150000) pay(addDays(o.today, -1), Math.ceil((150000 - balance) / 10000) * 10000, 'card');

  // Business contracts often keep a static IP; some TV subscribers rent a box. Both start tomorrow.
  const services: GeneratedContract['services'] = [];
  if (!isDemo && tariff.segment === 'business' && rng() < 0.5) services.push({ service_id: 1, from_day: addDays(o.today, 1) });
  if (!isDemo && tariff.tv_package && rng() < 0.2) services.push({ service_id: 2, from_day: addDays(o.today, 1) });

  return {
    services,
    contract: { number, name, town_id, address, email, status: balance < 0 ? 'blocked' : 'active', tariff_id: tariff.id, created_at },
    phones,
    entries,
    payments,
    balance,
  };
}
