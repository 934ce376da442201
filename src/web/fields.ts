// zod fields that several forms share.
import { z } from 'zod';
import { isDay } from '../lib/dates';
import { parseMoney } from '../lib/money';

/** A day from a date input (2026-11-24), or typed by hand where the browser has no date picker (24.11.2026). */
function normalizeDay(v: string): string {
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
  return ru ? `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}` : v;
}

/** An optional day: empty is null. */
export const optionalDay = (invalid: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? normalizeDay(v) : null))
    .refine((v) => v === null || isDay(v), invalid);

/** A day that must be given. */
export const requiredDay = (required: string, invalid: string) =>
  z.string({ error: required }).trim().min(1, required).transform(normalizeDay).refine(isDay, invalid);

/**
 * An amount of money in rubles as typed, to kopecks: "500", "450,50", "1 200.5". Empty, negative, zero, a third
 * decimal, letters and 1e9 are refused (the limits of each form are checked by its feature).
 */
export const amountField = () =>
  z
    .string({ error: 'amount.required' })
    .trim()
    .min(1, 'amount.required')
    .max(20, 'amount.invalid')
    .transform((v, ctx) => {
      if (/^[-−–]/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'amount.positive' });
        return z.NEVER;
      }
      const k = parseMoney(v);
      if (k === null) {
        ctx.addIssue({ code: 'custom', message: 'amount.invalid' });
        return z.NEVER;
      }
      if (k <= 0) {
        ctx.addIssue({ code: 'custom', message: 'amount.positive' });
        return z.NEVER;
      }
      return k as number;
    });

/**
 * A period of provider days (from/to inclusive, each optional) and a page of a list over it: «История платежей»,
 * «Выписка». The same query string with or without JavaScript.
 */
export const periodQuery = () =>
  z
    .object({
      from: optionalDay('period.from.invalid'),
      to: optionalDay('period.to.invalid'),
      page: z
        .string()
        .optional()
        .transform((v) => (v ? v : '1'))
        .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, 'period.page.invalid')
        .transform(Number),
    })
    .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'period.reversed', path: ['to'] });
export type PeriodQuery = z.output<ReturnType<typeof periodQuery>>;
