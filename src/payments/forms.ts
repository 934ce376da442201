import { z } from 'zod';
import { isDay } from '../lib/dates';

/** A day from a date input (2026-11-24) or typed by hand where the browser has no date picker (24.11.2026). */
const day = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => {
      if (!v) return null;
      const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
      return ru ? `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}` : v;
    })
    .refine((v) => v === null || isDay(v), message);

/** The period filter and page of «История платежей»; the same query string with or without JavaScript. */
export const historyQuery = z
  .object({
    from: day('history.from.invalid'),
    to: day('history.to.invalid'),
    page: z
      .string()
      .optional()
      .transform((v) => (v ? v : '1'))
      .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, 'history.page.invalid')
      .transform(Number),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'history.period.reversed', path: ['to'] });
export type HistoryQuery = z.output<typeof historyQuery>;
