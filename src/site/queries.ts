import type { Db } from '../db';

export type TownRow = { id: number; slug: string; name: string };
export type ContactPhoneRow = { id: number; town_id: number | null; label: string; phone: string; in_footer: number };
export type OfficeRow = { id: number; town_id: number; address: string; hours: string };
export type CatalogueTariffRow = {
  id: number; code: string; name: string; segment: string; internet_mbps: number | null;
  tv_package: string | null; tv_channels: number | null; monthly_fee_kopecks: number; town_id: number;
};

export const listTowns = (db: Db) => db('towns').select<TownRow[]>('id', 'slug', 'name').orderBy('position');

export const listContactPhones = (db: Db) =>
  db('contact_phones').select<ContactPhoneRow[]>('id', 'town_id', 'label', 'phone', 'in_footer').orderBy('position');

export type BankDetailsRow = { recipient: string; inn: string; kpp: string; account: string; bank: string; bik: string; corr_account: string };

/** The provider's bank details for payment by transfer (one row; none until the provider enters them). */
export const findBankDetails = (db: Db) =>
  db('provider_bank_details').orderBy('id').first<BankDetailsRow | undefined>('recipient', 'inn', 'kpp', 'account', 'bank', 'bik', 'corr_account');

export const listOffices = (db: Db) => db('offices').select<OfficeRow[]>('id', 'town_id', 'address', 'hours').orderBy('position');

/** Tariffs on sale (not archived) with the towns where they are sold. */
export const listCatalogue = (db: Db) =>
  db('tariffs as t')
    .join('tariff_towns as tt', 'tt.tariff_id', 't.id')
    .where('t.archived', false)
    .select<CatalogueTariffRow[]>('t.id', 't.code', 't.name', 't.segment', 't.internet_mbps', 't.tv_package', 't.tv_channels', 't.monthly_fee_kopecks', 'tt.town_id')
    .orderBy([{ column: 't.position' }, { column: 't.id' }]);

export const insertConnectionRequest = (db: Db, row: { phone: string; name: string | null; address: string | null; created_at: string }) =>
  db('connection_requests').insert(row);

export const insertFeedback = (db: Db, row: { name: string; phone: string; email: string | null; question: string; created_at: string }) =>
  db('feedback').insert(row);
