import { z } from 'zod';

/** A tariff id from the list: digits only (letters, an empty choice or a repeated field are refused). */
const tariff = z
  .string({ error: 'tariffChange.tariff.required' })
  .trim()
  .regex(/^\d{1,9}$/, 'tariffChange.tariff.required')
  .transform(Number);

const when = z.enum(['today', 'next_month'], { error: 'tariffChange.when.required' });

/** «Сменить тариф»: which tariff and from when. */
export const choiceForm = z.object({ tariff, when });

/** The "check your answers" page sends the choice back with the request's one-time key. */
export const confirmForm = z.object({
  tariff,
  when,
  key: z.string({ error: 'tariffChange.again' }).regex(/^[A-Za-z0-9-]{16,64}$/, 'tariffChange.again'),
});

/** A change id in the address: digits only, otherwise simply not found. */
export const isChangeId = (s: string) => /^\d{1,9}$/.test(s);
