import { z } from 'zod';
import { amountField, requiredDay } from '../../web/fields';

const optionalInt = (max: number, message: string) =>
  z.string().trim().optional()
    .refine((v) => !v || (/^\d{1,9}$/.test(v) && Number(v) >= 1 && Number(v) <= max), message)
    .transform((v) => (v ? Number(v) : null));

/** A tariff as the console edits it (the fee only at creation: later through «Изменение цены»). */
export const tariffForm = z.object({
  name: z.string({ error: 'adm.tariffs.error.name' }).trim().min(1, 'adm.tariffs.error.name').max(100, 'adm.tariffs.error.name'),
  code: z.string({ error: 'adm.tariffs.error.code' }).trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{1,39}$/, 'adm.tariffs.error.code'),
  segment: z.enum(['flat', 'house', 'business'], { error: 'adm.tariffs.error.segment' }),
  internet_mbps: optionalInt(100_000, 'adm.tariffs.error.speed'),
  tv_package: z.string().trim().max(100, 'adm.tariffs.error.tvPackage').optional().transform((v) => v || null),
  tv_channels: optionalInt(10_000, 'adm.tariffs.error.tvChannels'),
  position: z.string().trim().optional().refine((v) => !v || /^\d{1,6}$/.test(v), 'adm.tariffs.error.position').transform((v) => (v ? Number(v) : 0)),
  towns: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().regex(/^\d{1,9}$/, 'adm.tariffs.error.towns')).max(200, 'adm.tariffs.error.towns'))
    .transform((v) => [...new Set(v.map(Number))]),
}).refine((f) => f.internet_mbps !== null || f.tv_package !== null, { message: 'adm.tariffs.error.nothing', path: ['internet_mbps'] });

export const newTariffForm = tariffForm.and(z.object({ fee: amountField() }));

/** «Изменение цены»: the day and the fee (step one), then the notice (the confirming POST). */
export const priceQuery = z.object({
  from: requiredDay('adm.tariffs.price.error.from', 'adm.tariffs.price.error.from'),
  fee: amountField(),
});
export const priceForm = priceQuery.and(z.object({
  notice: z.string({ error: 'adm.tariffs.price.error.notice' }).trim().min(1, 'adm.tariffs.price.error.notice').max(1000, 'adm.tariffs.price.error.notice'),
}));
