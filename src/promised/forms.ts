import { z } from 'zod';
import { pad } from '../lib/dates';
import { parseMoney } from '../lib/money';

/** An amount in rubles as typed: "600", "450,50", "1 200.5". Negative, zero and a third decimal are refused. */
const amount = z
  .string({ error: 'promised.amount.required' })
  .trim()
  .min(1, 'promised.amount.required')
  .max(20, 'promised.amount.invalid')
  .transform((v, ctx) => {
    if (/^[-−–]/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'promised.amount.positive' });
      return z.NEVER;
    }
    const k = parseMoney(v);
    if (k === null) {
      ctx.addIssue({ code: 'custom', message: 'promised.amount.invalid' });
      return z.NEVER;
    }
    if (k <= 0) {
      ctx.addIssue({ code: 'custom', message: 'promised.amount.positive' });
      return z.NEVER;
    }
    return k as number;
  });

export const amountForm = z.object({ amount });

/** The "check your answers" page sends the amount back with confirm=1 and the request's one-time key. */
export const confirmForm = z.object({
  amount,
  confirm: z.literal('1'),
  key: z.string().regex(/^[A-Za-z0-9-]{16,64}$/),
});

/** Kopecks as the form's text again: 60000 -> "600,00" (no floating point). */
export const amountText = (k: number) => `${Math.trunc(k / 100)},${pad(k % 100)}`;
