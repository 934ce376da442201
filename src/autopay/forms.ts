// The autopayment form: the rule and its figures, the terms accepted, the receipt contact for the first payment.
import { z } from 'zod';
import { payAmount, receiptContact } from '../payments/payForms';

const optionalAmount = z.union([z.literal('').transform(() => undefined), payAmount]).optional();

export const autopayForm = z
  .object({
    rule: z.enum(['threshold', 'monthly'], { error: 'autopay.rule.required' }),
    amount: optionalAmount,
    threshold: z.union([z.literal('').transform(() => undefined), z.string().trim().regex(/^\d{1,6}$/, 'autopay.threshold.invalid').transform(Number)]).optional(),
    day: z.union([z.literal('').transform(() => undefined), z.string().trim().regex(/^\d{1,2}$/, 'autopay.day.invalid').transform(Number)]).optional(),
    accept: z.literal('1', { error: 'autopay.accept.required' }).optional(),
    contact: z.union([z.literal('').transform(() => undefined), receiptContact]).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.rule === 'threshold') {
      if (v.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'autopay.amount.required' });
      if (v.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'autopay.threshold.required' });
    }
    if (v.rule === 'monthly' && (v.day === undefined || v.day < 1 || v.day > 28)) ctx.addIssue({ code: 'custom', path: ['day'], message: 'autopay.day.invalid' });
  });
export type AutopayInput = z.output<typeof autopayForm>;
