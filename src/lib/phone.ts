// Phones are stored in E.164 (+79131234567) and shown as +7 (913) 123-45-67, or masked for recovery.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Any way a Russian subscriber writes a number -> E.164, or null if it is not a valid number. */
export function normalizePhone(text: string): string | null {
  const p = parsePhoneNumberFromString(text.trim(), 'RU');
  if (!p || !p.isValid()) return null;
  return p.number;
}

export function formatPhone(e164: string): string {
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(e164);
  return m ? `+7 (${m[1]}) ${m[2]}-${m[3]}-${m[4]}` : e164;
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
