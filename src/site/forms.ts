import { z } from 'zod';
import { normalizePhone } from '../lib/phone';

const phone = z
  .string({ error: 'site.phone.required' })
  .trim()
  .min(1, 'site.phone.required')
  .max(40, 'site.phone.invalid')
  .transform((v, ctx) => {
    const e164 = normalizePhone(v);
    if (!e164) ctx.addIssue({ code: 'custom', message: 'site.phone.invalid' });
    return e164 ?? '';
  });

const optionalText = (max: number, tooLong: string) =>
  z.string().trim().max(max, tooLong).optional().transform((v) => (v ? v : null));

export const connectForm = z.object({
  phone,
  name: optionalText(200, 'site.name.tooLong'),
  address: optionalText(300, 'site.address.tooLong'),
});

export const feedbackForm = z.object({
  name: z.string({ error: 'site.feedbackName.required' }).trim().min(1, 'site.feedbackName.required').max(200, 'site.name.tooLong'),
  phone,
  email: z
    .string()
    .trim()
    .max(254, 'site.email.invalid')
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || z.email().safeParse(v).success, 'site.email.invalid'),
  question: z.string({ error: 'site.question.required' }).trim().min(1, 'site.question.required').max(4000, 'site.question.tooLong'),
});
