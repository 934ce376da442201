import { z } from 'zod';
import { PASSWORD_MAX } from '../../auth/forms';

export const staffSignInForm = z.object({
  login: z.string({ error: 'admin.login.required' }).trim().min(1, 'admin.login.required').max(60, 'admin.login.required'),
  password: z.string({ error: 'admin.login.passwordRequired' }).min(1, 'admin.login.passwordRequired').max(PASSWORD_MAX, 'auth.password.tooLong'),
});

export const ownPasswordForm = z.object({
  current: z.string({ error: 'admin.password.currentRequired' }).min(1, 'admin.password.currentRequired').max(PASSWORD_MAX, 'auth.password.tooLong'),
  password: z.string({ error: 'rec.password.short' }).max(PASSWORD_MAX, 'rec.password.long'),
  repeat: z.string({ error: 'rec.password.mismatch' }).max(PASSWORD_MAX, 'rec.password.mismatch'),
});
