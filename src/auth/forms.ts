import { z } from 'zod';

export const PASSWORD_MAX = 1024;

export const signInForm = z.object({
  contract: z
    .string({ error: 'auth.contract.required' })
    .trim()
    .min(1, 'auth.contract.required')
    .regex(/^\d{1,12}$/, 'auth.contract.digits'),
  password: z.string({ error: 'auth.password.required' }).min(1, 'auth.password.required').max(PASSWORD_MAX, 'auth.password.tooLong'),
  remember: z.literal('1').optional(),
});
export type SignInForm = z.infer<typeof signInForm>;
