import { z } from 'zod';
import { optionalDay } from '../web/fields';

/** The period and page of «Выписка» (and the period of its CSV); the same query string with or without JavaScript. */
export const statementQuery = z
  .object({
    from: optionalDay('statement.from.invalid'),
    to: optionalDay('statement.to.invalid'),
    page: z
      .string()
      .optional()
      .transform((v) => (v ? v : '1'))
      .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, 'statement.page.invalid')
      .transform(Number),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'statement.period.reversed', path: ['to'] });
export type StatementQuery = z.output<typeof statementQuery>;
