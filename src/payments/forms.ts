import { z } from 'zod';
import { optionalDay } from '../web/fields';

/** The period filter and page of «История платежей»; the same query string with or without JavaScript. */
export const historyQuery = z
  .object({
    from: optionalDay('history.from.invalid'),
    to: optionalDay('history.to.invalid'),
    page: z
      .string()
      .optional()
      .transform((v) => (v ? v : '1'))
      .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, 'history.page.invalid')
      .transform(Number),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'history.period.reversed', path: ['to'] });
export type HistoryQuery = z.output<typeof historyQuery>;
