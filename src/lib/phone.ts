// Phones are stored in E.164 (+79131234567) and shown as +7 (913) 123-45-67, or masked for recovery.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Any way a Russian subscriber writes a number -> E.164, or null if it is not a valid number. */
export function normalizePhone(text: string): string | null {
  const p = parsePhoneNumberFromString(text.trim(), 'RU');
  if (!p || !p.isValid()) return null;
  return p.number;
}

export type SmsPhone = { ok: true; phone: string } | { ok: false; reason: 'invalid' | 'country' | 'notMobile' };

/**
 * A phone that codes and notices go to by SMS: a valid mobile number of one of the allowed countries (ISO codes,
 * PHONE_ALLOWED_COUNTRIES, RU by default). International, premium-rate, toll-free, VoIP and fixed-line numbers would
 * cost SMS money or never get the message.
 */
export function smsPhone(text: string, allowedCountries: readonly string[]): SmsPhone {
  const p = parsePhoneNumberFromString(text.trim(), 'RU');
  if (!p || !p.isValid()) return { ok: false, reason: 'invalid' };
  if (!p.country || !allowedCountries.includes(p.country)) return { ok: false, reason: 'country' };
  const type = p.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, reason: 'notMobile' };
  return { ok: true, phone: p.number };
}

/** Whether libphonenumber knows the ISO 3166 code (for checking PHONE_ALLOWED_COUNTRIES). */
export const isPhoneCountry = (code: string) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);

/** Country names in Russian for messages: ['RU', 'KZ'] -> «Россия, Казахстан». */
export function countryNames(codes: readonly string[]): string {
  const names = new Intl.DisplayNames('ru', { type: 'region' });
  return codes.map((c) => names.of(c) ?? c).join(', ');
}

/**
 * Long Russian area codes, longest first. libphonenumber-js's metadata groups every Russian number as 3-3-2-2
 * (right for mobiles and for Moscow's 495 or Kemerovo's 384 range as a whole), but a town's real code may have
 * 4 or 5 digits: Novokuznetsk 3843, Osinniki 38471. Kuzbass codes of the provider's region; add a town's code here
 * when the provider comes to it.
 */
const LONG_AREA_CODES = ['38471', '38472', '38473', '38474', '38475', '3842', '3843', '3846'];

/** The local number grouped as it is said: 75-60-00 (6 digits), 4-12-34 (5 digits). */
function groupLocal(local: string): string {
  return local.length === 6 ? `${local.slice(0, 2)}-${local.slice(2, 4)}-${local.slice(4)}` : `${local.slice(0, 1)}-${local.slice(1, 3)}-${local.slice(3)}`;
}

// Every page's footer shows the provider's phones: parsing them again on each page cost more than the rest of the
// footer. The text depends on the number alone, so it is kept (a few hundred numbers at most, then started afresh).
const formatted = new Map<string, string>();
const FORMATTED_MAX = 500;

/** +73843756000 -> "+7 (3843) 75-60-00", +73847141234 -> "+7 (38471) 4-12-34", +79131234567 -> "+7 (913) 123-45-67". */
export function formatPhone(e164: string): string {
  let text = formatted.get(e164);
  if (text === undefined) {
    if (formatted.size >= FORMATTED_MAX) formatted.clear();
    text = formatPhoneNow(e164);
    formatted.set(e164, text);
  }
  return text;
}

function formatPhoneNow(e164: string): string {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return e164;
  if (p.countryCallingCode !== '7') return p.formatInternational();
  const national = p.nationalNumber;
  const code = LONG_AREA_CODES.find((c) => national.startsWith(c));
  if (code) return `+7 (${code}) ${groupLocal(national.slice(code.length))}`;
  // libphonenumber-js knows the 3-digit codes (mobile 9xx, 495, 812 ...): its national format, "8 (913) 123-45-67"
  return `+7 ${p.formatNational().replace(/^8\s*/, '')}`;
}

/** +79131234567 -> "+7 *** ***-45-67" */
export function maskPhone(e164: string): string {
  const m = /^\+7\d{6}(\d{2})(\d{2})$/.exec(e164);
  return m ? `+7 *** ***-${m[1]}-${m[2]}` : `*** ${e164.slice(-4)}`;
}

/** A tel: link target. */
export function telHref(e164: string): string {
  return `tel:${e164}`;
}
