import { z } from 'zod';
import { smsPhone } from '../lib/phone';
import { PASSWORD_MAX } from '../auth/forms';

export const reauthForm = z.object({
  password: z.string({ error: 'auth.password.required' }).min(1, 'auth.password.required').max(PASSWORD_MAX, 'auth.password.tooLong'),
});
/** A new phone: a mobile number of an allowed country (PHONE_ALLOWED_COUNTRIES), for codes and notices by SMS. */
export const phoneForm = (allowedCountries: readonly string[]) => z.object({
  phone: z.string({ error: 'prof.phone.invalid' }).trim().max(30, 'prof.phone.invalid').transform((v, c) => {
    const p = smsPhone(v, allowedCountries);
    if (!p.ok) {
      const onlyRu = allowedCountries.length === 1 && allowedCountries[0] === 'RU';
      const message = p.reason === 'invalid' ? 'prof.phone.invalid' : p.reason === 'notMobile' ? 'prof.phone.mobile' : onlyRu ? 'prof.phone.country' : 'prof.phone.countries';
      c.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return p.phone;
  }),
});
export const phoneCodeForm = z.object({
  change: z.string({ error: 'prof.code.gone' }).regex(/^\d{1,9}$/, 'prof.code.gone').transform(Number),
  code: z.string({ error: 'rec.code.required' }).trim().min(1, 'rec.code.required').regex(/^\d{6}$/, 'rec.code.format'),
});
export const removePhoneForm = z.object({
  phone: z.string({ error: 'error.badRequest' }).regex(/^\d{1,9}$/, 'error.badRequest').transform(Number),
});
export const emailForm = z.object({
  email: z.string({ error: 'site.email.invalid' }).trim().max(254, 'site.email.invalid').pipe(z.email('site.email.invalid')),
});
export const sessionForm = z.object({
  session: z.string({ error: 'error.badRequest' }).regex(/^[0-9a-f]{24}$/, 'error.badRequest'),
});

/** «Сменить пароль»: the new one is checked by the recovery rules in the service (length, list, the subscriber's words). */
export const changePasswordForm = z.object({
  current: z.string({ error: 'auth.password.required' }).min(1, 'auth.password.required').max(PASSWORD_MAX, 'auth.password.tooLong'),
  password: z.string({ error: 'rec.password.short' }),
  password2: z.string({ error: 'rec.password.mismatch' }),
});
/** «Отметить прочитанным» names one notice; «Отметить все прочитанными» names none. */
export const noticeForm = z.object({
  notice: z.union([z.literal('').transform(() => undefined), z.string().regex(/^\d{1,12}$/).transform(Number)]).optional(),
});
