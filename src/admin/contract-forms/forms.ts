// What the contract forms accept: the subscriber's data («Новый договор», «Изменить данные»), a tariff change, a
// password reset. Phones are typed in any Russian way and stored in E.164 (src/lib/phone.ts).
import { z } from 'zod';
import { isDay } from '../../lib/dates';
import { normalizePhone } from '../../lib/phone';
import { parseForm, type FieldErrors } from '../../web/forms';

export const MAX_PHONES = 5;

const id = (key: string) => z.string({ error: key }).trim().regex(/^\d{1,9}$/, key).transform(Number);
const text = (required: string, long: string, max: number) =>
  z.string({ error: required }).transform((s) => s.replace(/\s+/g, ' ').trim()).pipe(z.string().min(1, required).max(max, long));

const email = z.string({ error: 'adm.cf.email.bad' }).trim().max(254, 'adm.cf.email.bad')
  .pipe(z.union([z.literal(''), z.email('adm.cf.email.bad')]))
  .transform((s) => (s === '' ? null : s.toLowerCase()));

/** «24.11.2026» or the date input's 2026-11-24 -> 2026-11-24. */
const day = z.string({ error: 'adm.cf.start.bad' }).trim().transform((s, c) => {
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  const iso = ru ? `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}` : s;
  if (!isDay(iso)) {
    c.addIssue({ code: 'custom', message: 'adm.cf.start.bad' });
    return z.NEVER;
  }
  return iso;
});

const personSchema = z.object({
  name: text('adm.cf.name.required', 'adm.cf.name.long', 200),
  town: id('adm.cf.town.required'),
  address: text('adm.cf.address.required', 'adm.cf.address.long', 300),
});
const contactsSchema = z.object({ email: email.optional().transform((v) => v ?? null) });
const newSchema = personSchema.extend(contactsSchema.shape).extend({ tariff: id('adm.cf.tariff.required'), start: day });

export type Problem = { errors: FieldErrors; params: Record<string, string> };

/** The phones field: one or more numbers, separated by commas, semicolons or new lines. */
export function parsePhones(raw: unknown): { ok: true; phones: string[] } | { ok: false; key: string; params: Record<string, string> } {
  const parts = (typeof raw === 'string' ? raw : '').split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: false, key: 'adm.cf.phones.required', params: {} };
  const phones: string[] = [];
  for (const p of parts) {
    const e164 = normalizePhone(p);
    if (!e164) return { ok: false, key: 'adm.cf.phones.bad', params: { phone: p.slice(0, 40) } };
    if (!phones.includes(e164)) phones.push(e164);
  }
  if (phones.length > MAX_PHONES) return { ok: false, key: 'adm.cf.phones.many', params: {} };
  return { ok: true, phones };
}

type Parsed<T> = { ok: true; data: T } | ({ ok: false } & Problem);

function withPhones<T>(schema: z.ZodType<T>, body: unknown): Parsed<T & { phones: string[] }> {
  const form = parseForm(schema, body);
  const phones = parsePhones((body as Record<string, unknown> | undefined)?.phones);
  const errors: FieldErrors = form.ok ? {} : { ...form.errors };
  const params: Record<string, string> = {};
  if (!phones.ok) {
    errors.phones = phones.key as FieldErrors[string];
    Object.assign(params, phones.params);
  }
  if (!form.ok || !phones.ok) return { ok: false, errors, params };
  return { ok: true, data: { ...form.data, phones: phones.phones } };
}

export type NewContractInput = z.output<typeof newSchema> & { phones: string[] };
export type PersonInput = z.output<typeof personSchema>;
export type ContactsInput = z.output<typeof contactsSchema> & { phones: string[] };

export const parseNewContract = (body: unknown) => withPhones(newSchema, body);
/** `full`: the name, town and address too (contractsEdit); otherwise phones and e-mail only (contractsContacts). */
export const parseEdit = (body: unknown, full: boolean) => withPhones<Partial<PersonInput> & z.output<typeof contactsSchema>>(full ? personSchema.extend(contactsSchema.shape) : contactsSchema, body);

/** «Сменить тариф»: which tariff and from when; the check page sends it back with its one-time key. */
const when = z.enum(['today', 'next_month'], { error: 'adm.cf.tc.when.required' });
export const tariffChoiceForm = z.object({ tariff: id('adm.cf.tc.tariff.required'), when });
export const tariffConfirmForm = tariffChoiceForm.extend({ key: z.string({ error: 'adm.cf.tc.again' }).regex(/^[A-Za-z0-9-]{16,64}$/, 'adm.cf.tc.again') });

/** «Сбросить пароль»: print, or SMS to one of the contract's phones (its place in the list shown). */
export const resetForm = z.discriminatedUnion('via', [
  z.object({ via: z.literal('print') }),
  z.object({ via: z.literal('sms'), phone: z.string({ error: 'adm.cf.pw.phone.required' }).regex(/^\d{1,2}$/, 'adm.cf.pw.phone.required').transform(Number) }),
], { error: 'error.badRequest' });

/** A contract id in the address: digits only; anything else is not this router's page. */
export const isContractId = (s: string) => /^\d{1,9}$/.test(s);
