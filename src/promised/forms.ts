import { z } from 'zod';
import { amountField } from '../web/fields';

/** An amount in rubles as typed: "600", "450,50", "1 200.5" (the shared field: negative, zero and a third decimal are refused). */
const amount = amountField();

export const amountForm = z.object({ amount });

/** The "check your answers" page sends the amount back with confirm=1 and the request's one-time key. */
export const confirmForm = z.object({
  amount,
  confirm: z.literal('1'),
  key: z.string().regex(/^[A-Za-z0-9-]{16,64}$/),
});
