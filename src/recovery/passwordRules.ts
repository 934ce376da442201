// New passwords (OWASP ASVS 5.0 V6.2), for recovery and «Сменить пароль» alike: at least 8 characters, up to 128, any
// characters, no composition rules, not a common password (src/lib/passwordBlocklist.ts: about 45 000 entries of 8+
// characters, compared case-insensitively) and not made of what an attacker knows about this subscriber (V6.2.11):
// the contract number anywhere in it, the provider's name or the portal's words with only digits and signs around
// them (Центр2026!, centra2026), the demo password. 128 rather than 64: a long passphrase fits with room to spare,
// and the cap keeps one request's hashing work bounded (the HMAC before bcrypt reads every byte, so nothing is cut).
import { isCommonPassword, toEnglishLayout, toRussianLayout } from '../lib/passwordBlocklist';

export const NEW_PASSWORD_MIN = 8;
export const NEW_PASSWORD_MAX = 128;
/** The seed's demo password: known to everyone who read the README. */
export const DEMO_PASSWORD = 'centra2026';
/** The portal's own words besides the provider's name, in both alphabets. */
const PORTAL_WORDS = ['centra', 'centr', 'center', 'centre', 'kabinet', 'кабинет', 'личныйкабинет', 'lk', 'provider', 'провайдер', 'internet', 'интернет'];

export type PasswordProblem = 'short' | 'long' | 'common' | 'personal' | 'mismatch' | null;
/** What is known of the subscriber: the contract number and the provider's name. */
export type PasswordContext = { contractNumber: string; providerName: string };

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}]/gu, '');

/** Words that, with only digits and signs around them, make a guessable password. */
function contextWords(providerName: string): Set<string> {
  const words = new Set<string>(PORTAL_WORDS);
  const name = providerName.toLowerCase();
  words.add(letters(name));
  for (const w of name.split(/[^\p{L}]+/u)) if ([...w].length >= 4) words.add(w);
  for (const w of [...words]) {
    const other = toEnglishLayout(w) ?? toRussianLayout(w);
    if (other) words.add(letters(other));
  }
  words.delete('');
  return words;
}

export function isPersonalPassword(password: string, ctx: PasswordContext): boolean {
  const p = password.normalize('NFC').toLowerCase();
  if (p === DEMO_PASSWORD) return true;
  if (ctx.contractNumber && p.includes(ctx.contractNumber)) return true;
  const rest = letters(p);
  return rest.length > 0 && contextWords(ctx.providerName).has(rest);
}

/** Length counts characters as people see them (code points), not UTF-16 units. */
export function checkNewPassword(password: string, repeat: string, ctx: PasswordContext): PasswordProblem {
  const length = [...password.normalize('NFC')].length;
  if (length < NEW_PASSWORD_MIN) return 'short';
  if (length > NEW_PASSWORD_MAX) return 'long';
  if (isCommonPassword(password)) return 'common';
  if (isPersonalPassword(password, ctx)) return 'personal';
  if (password !== repeat) return 'mismatch';
  return null;
}
