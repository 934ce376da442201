import { z } from 'zod';

const token = z.string({ error: 'rec.gone' }).regex(/^[\w-]{43}$/, 'rec.gone');

export const findForm = z.object({
  contract: z.string({ error: 'auth.contract.required' }).trim().min(1, 'auth.contract.required').regex(/^\d{1,12}$/, 'auth.contract.digits'),
});
export const phoneForm = z.object({
  attempt: token,
  phone: z.string({ error: 'rec.phone.choose' }).regex(/^\d{1,2}$/, 'rec.phone.choose').transform(Number),
});
export const codeForm = z.object({
  attempt: token,
  code: z.string({ error: 'rec.code.required' }).trim().min(1, 'rec.code.required').regex(/^\d{6}$/, 'rec.code.format'),
});
export const passwordForm = z.object({
  attempt: token,
  password: z.string({ error: 'rec.password.short' }),
  password2: z.string({ error: 'rec.password.mismatch' }),
});
