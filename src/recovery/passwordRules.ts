// New passwords (OWASP ASVS 5.0 V6.2): at least 8 characters, up to 128, any characters, no composition rules,
// not one of the 1 000 most common passwords. 128 rather than 64: a long passphrase fits with room to spare, and
// the cap keeps one request's hashing work bounded (the HMAC before bcrypt reads every byte, so nothing is cut).
import { COMMON_PASSWORDS } from '../lib/common-passwords';

export const NEW_PASSWORD_MIN = 8;
export const NEW_PASSWORD_MAX = 128;
const COMMON = new Set(COMMON_PASSWORDS.map((p) => p.toLowerCase()));

export type PasswordProblem = 'short' | 'long' | 'common' | 'mismatch' | null;

/** Length counts characters as people see them (code points), not UTF-16 units. */
export function checkNewPassword(password: string, repeat: string): PasswordProblem {
  const length = [...password.normalize('NFC')].length;
  if (length < NEW_PASSWORD_MIN) return 'short';
  if (length > NEW_PASSWORD_MAX) return 'long';
  if (COMMON.has(password.toLowerCase())) return 'common';
  if (password !== repeat) return 'mismatch';
  return null;
}
