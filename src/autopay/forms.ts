// The autopayment form: the rule and its figures, the terms accepted, the receipt contact for the first payment.
import { z } from 'zod';
import { receiptContact } from '../card-payments/forms';
import { amountField } from '../web/fields';

/** An empty field is absent (the other rule's fields are sent empty). */
const blankless = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const autopayForm = z
  .object({
    rule: z.enum(['threshold', 'monthly'], { error: 'autopay.rule.required' }),
    amount: blankless(amountField()),
    threshold: blankless(z.string({ error: 'autopay.threshold.invalid' }).trim().regex(/^\d{1,6}$/, 'autopay.threshold.invalid').transform(Number)),
    day: blankless(z.string({ error: 'autopay.day.invalid' }).trim().regex(/^\d{1,2}$/, 'autopay.day.invalid').transform(Number)),
    accept: blankless(z.literal('1', { error: 'autopay.accept.required' })),
    contact: blankless(receiptContact),
  })
  .superRefine((v, ctx) => {
    if (v.rule === 'threshold') {
      if (v.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'autopay.amount.required' });
      if (v.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'autopay.threshold.required' });
    }
    if (v.rule === 'monthly' && (v.day === undefined || v.day < 1 || v.day > 28)) ctx.addIssue({ code: 'custom', path: ['day'], message: 'autopay.day.invalid' });
  });
export type AutopayInput = z.output<typeof autopayForm>;
