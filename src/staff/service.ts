// Staff accounts made by the ops team (`kabinet staff create|reset-password`): production has none until someone
// makes one. The password is generated (shown once) or given on stdin; it is hashed as subscribers' are.
import crypto from 'node:crypto';
import { audit } from '../audit/service';
import { createPasswordHasher } from '../auth/passwords';
import type { AppContext } from '../context';
import { checkNewPassword } from '../recovery/passwordRules';
import { insertStaff, setStaffPassword, staffByLogin } from './queries';

/** The roles of the staff console (issue 11). */
export const STAFF_ROLES = ['admin', 'cashier', 'support', 'content'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** 3-40 characters: a Latin letter first, then letters, digits, '.', '_' or '-'; kept in lower case. */
export const STAFF_LOGIN = /^[a-z][a-z0-9._-]{2,39}$/;

/** Bad input for a staff command: the message is the one line the operator sees. */
export class StaffInputError extends Error {}

/** No look-alikes (0/O, 1/l/I): read off a screen and typed by a person. */
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 20 characters of 57: about 117 bits. */
export function generatePassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}

function checkLogin(raw: string): string {
  const login = raw.trim().toLowerCase();
  if (!STAFF_LOGIN.test(login)) throw new StaffInputError(`bad login "${raw.slice(0, 60)}": 3-40 characters, a Latin letter first, then letters, digits, '.', '_' or '-'`);
  return login;
}

function checkPassword(password: string, login: string, providerName: string): void {
  const problem = checkNewPassword(password, password, { contractNumber: login, providerName });
  const why = { short: 'shorter than 8 characters', long: 'longer than 128 characters', common: 'a common password', personal: 'made of the login or the portal\'s words', mismatch: '' };
  if (problem) throw new StaffInputError(`the password is ${why[problem]}: choose another (or leave out --password-stdin for a generated one)`);
}

const isUniqueViolation = (err: unknown) => {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};

export type StaffPassword = { id: number; login: string; password: string; generated: boolean };

export async function createStaff(ctx: AppContext, o: { login: string; role: string; name?: string; password?: string }): Promise<StaffPassword & { role: StaffRole }> {
  const login = checkLogin(o.login);
  if (!(STAFF_ROLES as readonly string[]).includes(o.role)) throw new StaffInputError(`unknown role "${o.role.slice(0, 40)}": one of ${STAFF_ROLES.join(', ')}`);
  const name = (o.name ?? login).trim();
  if (!name || name.length > 200) throw new StaffInputError('--name must be 1-200 characters');
  if (await staffByLogin(ctx.db, login)) throw new StaffInputError(`staff account "${login}" exists already (reset its password with: kabinet staff reset-password ${login})`);
  if (o.password !== undefined) checkPassword(o.password, login, ctx.config.provider.name);
  const password = o.password ?? generatePassword();
  const hash = await createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost).hash(password);
  let id: number;
  try {
    id = await insertStaff(ctx.db, { login, name, role: o.role, password_hash: hash, created_at: ctx.clock.now().toISOString() });
  } catch (err) {
    if (isUniqueViolation(err)) throw new StaffInputError(`staff account "${login}" exists already`);
    throw err;
  }
  await audit(ctx, { actor: 'system', action: 'staff_created', detail: { staffId: id, login, role: o.role, via: 'cli' } });
  return { id, login, role: o.role as StaffRole, password, generated: o.password === undefined };
}

export async function resetStaffPassword(ctx: AppContext, o: { login: string; password?: string }): Promise<StaffPassword> {
  const login = checkLogin(o.login);
  const staff = await staffByLogin(ctx.db, login);
  if (!staff) throw new StaffInputError(`there is no staff account "${login}" (make one with: kabinet staff create ${login} --role admin)`);
  if (o.password !== undefined) checkPassword(o.password, login, ctx.config.provider.name);
  const password = o.password ?? generatePassword();
  const hash = await createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost).hash(password);
  await setStaffPassword(ctx.db, staff.id, hash);
  await audit(ctx, { actor: 'system', action: 'staff_password_reset', detail: { staffId: staff.id, login, via: 'cli' } });
  return { id: staff.id, login, password, generated: o.password === undefined };
}
