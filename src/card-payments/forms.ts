// The pay form: the amount in rubles as typed, and the e-mail or phone the 54-FZ receipt goes to; and the gateway's
// notification as we accept it.
import { z } from 'zod';
import { normalizePhone } from '../lib/phone';
import { amountField } from '../web/fields';

/** An e-mail as typed, or a Russian phone in any notation -> "79131234567" (YooKassa's receipt.customer.phone). */
export const receiptContact = z
  .string({ error: 'pay.contact.required' })
  .trim()
  .min(1, 'pay.contact.required')
  .max(254, 'pay.contact.invalid')
  .transform((v, ctx) => {
    if (v.includes('@')) {
      if (z.email().safeParse(v).success) return v.toLowerCase();
      ctx.addIssue({ code: 'custom', message: 'pay.contact.invalid' });
      return z.NEVER;
    }
    const e164 = normalizePhone(v);
    if (!e164 || !e164.startsWith('+7')) {
      ctx.addIssue({ code: 'custom', message: 'pay.contact.invalid' });
      return z.NEVER;
    }
    return e164.slice(1);
  });

export const payForm = z.object({ amount: amountField(), contact: receiptContact });

/** The notification as YooKassa sends it; anything else is a 400. */
export const notificationBody = z.object({
  type: z.literal('notification'),
  event: z.string().max(60),
  object: z.object({ id: z.string().min(1).max(64).regex(/^[\w-]+$/) }).loose(),
});
