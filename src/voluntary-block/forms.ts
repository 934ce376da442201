import { z } from 'zod';
import { requiredDay } from '../web/fields';

export const periodForm = z.object({
  from: requiredDay('vb.from.required', 'vb.from.invalid'),
  to: requiredDay('vb.to.required', 'vb.to.invalid'),
});
export type PeriodInput = z.output<typeof periodForm>;

/** The "check your answers" page sends the period back with confirm=1 and the request's one-time key. */
export const confirmForm = periodForm.extend({
  confirm: z.literal('1'),
  key: z.string().regex(/^[A-Za-z0-9-]{16,64}$/),
});
