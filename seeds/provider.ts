// The demo provider, like the one in shared/seed/: two towns, their contact numbers and offices, and tariffs
// for flats, private houses and business. Fixed data: testers and the e2e suite rely on it.
import type { Trx } from '../src/db';
export const TOWNS = [
  { id: 1, slug: 'novokuznetsk', name: 'Новокузнецк', position: 1 },
  { id: 2, slug: 'osinniki', name: 'Осинники', position: 2 },
];

export const CONTACT_PHONES = [
  { town_id: 1, label: 'Контакт-центр, круглосуточно', phone: '+73843756000', in_footer: true, position: 1 },
  { town_id: 2, label: 'Контакт-центр, круглосуточно', phone: '+73847151399', in_footer: true, position: 2 },
  { town_id: null, label: 'Отдел по работе с юридическими лицами', phone: '+73843756402', in_footer: false, position: 3 },
  { town_id: null, label: 'Общий сотовый', phone: '+79050756667', in_footer: true, position: 4 },
];

export const OFFICES = [
  { town_id: 1, address: 'ул. Кирова, 55', hours: 'Пн–Пт 9:00–19:00, Сб 10:00–16:00', position: 1 },
  { town_id: 1, address: 'пр. Бардина, 30', hours: 'Пн–Пт 10:00–18:00', position: 2 },
  { town_id: 2, address: 'ул. Победы, 12', hours: 'Пн–Пт 9:00–18:00, Сб 10:00–14:00', position: 3 },
];

/** The demo provider's bank details for payment by bank transfer (a made-up company and bank: demo data). */
export const BANK_DETAILS = {
  recipient: 'ООО «Сеть Центр»',
  inn: '4217123456',
  kpp: '421701001',
  account: '40702810900000012345',
  bank: 'АО «Демо-Банк», г. Кемерово',
  bik: '043207999',
  corr_account: '30101810900000000999',
};

type TariffSeed = {
  id: number; code: string; name: string; segment: 'flat' | 'house' | 'business'; internet_mbps: number | null;
  tv_package: string | null; tv_channels: number | null; monthly_fee_kopecks: number; archived: boolean; towns: number[];
};

export const TARIFFS: TariffSeed[] = [
  { id: 1, code: 'home100', name: 'Домашний 100', segment: 'flat', internet_mbps: 100, tv_package: null, tv_channels: null, monthly_fee_kopecks: 45000, archived: false, towns: [1, 2] },
  { id: 2, code: 'home300', name: 'Домашний 300', segment: 'flat', internet_mbps: 300, tv_package: null, tv_channels: null, monthly_fee_kopecks: 65000, archived: false, towns: [1] },
  { id: 3, code: 'home300tv', name: 'Домашний 300 + ТВ', segment: 'flat', internet_mbps: 300, tv_package: 'Цифровое ТВ', tv_channels: 180, monthly_fee_kopecks: 89000, archived: false, towns: [1, 2] },
  { id: 4, code: 'tvbasic', name: 'ТВ Базовый', segment: 'flat', internet_mbps: null, tv_package: 'Аналоговое ТВ', tv_channels: 60, monthly_fee_kopecks: 25000, archived: false, towns: [1, 2] },
  { id: 5, code: 'house50', name: 'Частный дом 50', segment: 'house', internet_mbps: 50, tv_package: null, tv_channels: null, monthly_fee_kopecks: 70000, archived: false, towns: [1, 2] },
  { id: 6, code: 'house100tv', name: 'Частный дом 100 + ТВ', segment: 'house', internet_mbps: 100, tv_package: 'Цифровое ТВ', tv_channels: 180, monthly_fee_kopecks: 110000, archived: false, towns: [1, 2] },
  { id: 7, code: 'biz100', name: 'Бизнес 100', segment: 'business', internet_mbps: 100, tv_package: null, tv_channels: null, monthly_fee_kopecks: 150000, archived: false, towns: [1, 2] },
  { id: 8, code: 'biz500', name: 'Бизнес 500', segment: 'business', internet_mbps: 500, tv_package: null, tv_channels: null, monthly_fee_kopecks: 390000, archived: false, towns: [1] },
  { id: 9, code: 'start2019', name: 'Старт 2019', segment: 'flat', internet_mbps: 30, tv_package: null, tv_channels: null, monthly_fee_kopecks: 35000, archived: true, towns: [1, 2] },
];

/** Extra services a contract may have besides its tariff, each with its own monthly fee. */
export const SERVICES = [
  { id: 1, code: 'static_ip', name: 'Статический IP-адрес', monthly_fee_kopecks: 15000, archived: false },
  { id: 2, code: 'tv_box', name: 'Аренда ТВ-приставки', monthly_fee_kopecks: 10000, archived: false },
];

export const DEMO = {
  contract: '100001',
  password: 'centra2026',
  name: 'Иванова Мария Петровна',
  phones: ['+79131234567', '+79059876543'],
  email: 'demo@example.ru',
  tariffId: 3,
  staffLogin: 'admin',
  staffPassword: 'admin-demo-2026',
  /** One demo account per role of the console (outside production only, like every demo row). */
  staff: [
    { login: 'admin', name: 'Администратор', role: 'admin', password: 'admin-demo-2026' },
    { login: 'kassa', name: 'Кассир Петрова Анна', role: 'cashier', password: 'kassa-demo-2026' },
    { login: 'support', name: 'Поддержка Смирнов Олег', role: 'support', password: 'support-demo-2026' },
    { login: 'content', name: 'Редактор Козлова Ирина', role: 'content', password: 'content-demo-2026' },
  ],
};

/** The demo staff accounts, one per role. */
export async function seedStaff(trx: Trx, hashPassword: (p: string) => Promise<string>, nowIso: string): Promise<void> {
  for (const s of DEMO.staff) {
    await trx('staff').insert({ login: s.login, name: s.name, password_hash: await hashPassword(s.password), role: s.role, active: true, created_at: nowIso });
  }
}
