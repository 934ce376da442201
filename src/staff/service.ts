// Staff accounts made by the ops team (`kabinet staff create|reset-password`): production has none until someone
// makes one. The password is generated (shown once) or given on stdin; it is hashed as subscribers' are.
import crypto from 'node:crypto';
import { audit, auditStaff, type StaffActor } from '../audit/service';
import { createPasswordHasher } from '../auth/passwords';
import type { AppContext } from '../context';
import { checkNewPassword } from '../recovery/passwordRules';
import { inTransaction } from '../db';
import { activeAdminIds, insertStaff, listStaff, resetStaffPasswordHash, setStaffActive, setStaffRole, staffByLogin, staffForRule } from './queries';

/** The roles of the staff console (issue 11). */
export const STAFF_ROLES = ['admin', 'cashier', 'support', 'content'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const isStaffRole = (role: string): role is StaffRole => (STAFF_ROLES as readonly string[]).includes(role);

/** 3-40 characters: a Latin letter first, then letters, digits, '.', '_' or '-'; kept in lower case. */
export const STAFF_LOGIN = /^[a-z][a-z0-9._-]{2,39}$/;

/** What was wrong, for the console's form (the message is the CLI's one line). */
export type StaffProblem = 'login' | 'role' | 'name' | 'password' | 'taken' | 'missing';

/** Bad input for a staff command: the message is the one line the operator sees; `problem` is what the console shows. */
export class StaffInputError extends Error {
  constructor(message: string, readonly problem: StaffProblem = 'login') {
    super(message);
  }
}

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
  if (!STAFF_LOGIN.test(login)) throw new StaffInputError(`bad login "${raw.slice(0, 60)}": 3-40 characters, a Latin letter first, then letters, digits, '.', '_' or '-'`, 'login');
  return login;
}

function checkPassword(password: string, login: string, providerName: string): void {
  const problem = checkNewPassword(password, password, { contractNumber: login, providerName });
  const why = { short: 'shorter than 8 characters', long: 'longer than 128 characters', common: 'a common password', personal: 'made of the login or the portal\'s words', mismatch: '' };
  if (problem) throw new StaffInputError(`the password is ${why[problem]}: choose another (or leave out --password-stdin for a generated one)`, 'password');
}

const isUniqueViolation = (err: unknown) => {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};

export type StaffPassword = { id: number; login: string; password: string; generated: boolean };

/** A new account: by the CLI (actor `system`), or by an admin in the console (`actor`, audited as theirs). */
export async function createStaff(
  ctx: AppContext, o: { login: string; role: string; name?: string; password?: string }, actor?: StaffActor,
): Promise<StaffPassword & { role: StaffRole }> {
  const login = checkLogin(o.login);
  if (!isStaffRole(o.role)) throw new StaffInputError(`unknown role "${o.role.slice(0, 40)}": one of ${STAFF_ROLES.join(', ')}`, 'role');
  const name = (o.name ?? login).trim();
  if (!name || name.length > 200) throw new StaffInputError('--name must be 1-200 characters', 'name');
  if (await staffByLogin(ctx.db, login)) throw new StaffInputError(`staff account "${login}" exists already (reset its password with: kabinet staff reset-password ${login})`, 'taken');
  if (o.password !== undefined) checkPassword(o.password, login, ctx.config.provider.name);
  const password = o.password ?? generatePassword();
  const hash = await createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost).hash(password);
  let id: number;
  try {
    id = await inTransaction(ctx.db, async (trx) => {
      const newId = await insertStaff(trx, { login, name, role: o.role, password_hash: hash, created_at: ctx.clock.now().toISOString() });
      if (actor) await auditStaff(ctx, actor, { action: 'staff_created', after: { staffId: newId, login, name, role: o.role } }, trx);
      else await audit(ctx, { actor: 'system', action: 'staff_created', detail: { staffId: newId, login, role: o.role, via: 'cli' } }, trx);
      return newId;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new StaffInputError(`staff account "${login}" exists already`, 'taken');
    throw err;
  }
  return { id, login, role: o.role as StaffRole, password, generated: o.password === undefined };
}

export async function resetStaffPassword(ctx: AppContext, o: { login: string; password?: string }): Promise<StaffPassword> {
  const login = checkLogin(o.login);
  const staff = await staffByLogin(ctx.db, login);
  if (!staff) throw new StaffInputError(`there is no staff account "${login}" (make one with: kabinet staff create ${login} --role admin)`, 'missing');
  if (o.password !== undefined) checkPassword(o.password, login, ctx.config.provider.name);
  const password = o.password ?? generatePassword();
  const hash = await createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost).hash(password);
  await resetStaffPasswordHash(ctx.db, staff.id, hash, ctx.clock.now().toISOString());
  await audit(ctx, { actor: 'system', action: 'staff_password_reset', detail: { staffId: staff.id, login, via: 'cli' } });
  return { id: staff.id, login, password, generated: o.password === undefined };
}

// The console's staff accounts (admin only, src/admin/staff): each change in one transaction with its audit row
// (before/after). The rules: an admin does not disable themself, and the last active admin stays an active admin
// (the active admins are read locked, so two admins demoting each other at once cannot both succeed).

export type StaffChange = { ok: true } | { ok: false; problem: 'missing' | 'self' | 'lastAdmin' | 'role' };

export const staffList = (ctx: AppContext) => listStaff(ctx.db);

const isActive = (v: boolean | number) => Boolean(v);

/** Disables or enables an account; a disabled account's sessions end on their next request (loadStaff). */
export function setStaffEnabled(ctx: AppContext, actor: StaffActor, staffId: number, enabled: boolean): Promise<StaffChange> {
  return inTransaction(ctx.db, async (trx) => {
    const admins = await activeAdminIds(trx);
    const s = await staffForRule(trx, staffId);
    if (!s) return { ok: false, problem: 'missing' } as const;
    if (isActive(s.active) === enabled) return { ok: true } as const;
    if (!enabled && s.id === actor.staffId) return { ok: false, problem: 'self' } as const;
    if (!enabled && s.role === 'admin' && admins.length <= 1 && admins.includes(s.id)) return { ok: false, problem: 'lastAdmin' } as const;
    await setStaffActive(trx, s.id, enabled, ctx.clock.now().toISOString());
    await auditStaff(ctx, actor, {
      action: enabled ? 'staff_enabled' : 'staff_disabled', before: { staffId: s.id, login: s.login, active: !enabled }, after: { staffId: s.id, login: s.login, active: enabled },
    }, trx);
    return { ok: true } as const;
  });
}

export function changeStaffRole(ctx: AppContext, actor: StaffActor, staffId: number, role: string): Promise<StaffChange> {
  if (!isStaffRole(role)) return Promise.resolve({ ok: false, problem: 'role' });
  return inTransaction(ctx.db, async (trx) => {
    const admins = await activeAdminIds(trx);
    const s = await staffForRule(trx, staffId);
    if (!s) return { ok: false, problem: 'missing' } as const;
    if (s.role === role) return { ok: true } as const;
    if (s.role === 'admin' && role !== 'admin' && admins.length <= 1 && admins.includes(s.id)) return { ok: false, problem: 'lastAdmin' } as const;
    await setStaffRole(trx, s.id, role);
    await auditStaff(ctx, actor, { action: 'staff_role_changed', before: { staffId: s.id, login: s.login, role: s.role }, after: { staffId: s.id, login: s.login, role } }, trx);
    return { ok: true } as const;
  });
}

/** A new generated password, shown once to the admin; the account's open sessions end (password_changed_at). */
export async function resetStaffPasswordBy(
  ctx: AppContext, actor: StaffActor, staffId: number,
): Promise<{ ok: true; login: string; name: string; password: string } | { ok: false; problem: 'missing' | 'self' }> {
  if (staffId === actor.staffId) return { ok: false, problem: 'self' };
  const password = generatePassword();
  const hash = await createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost).hash(password);
  return inTransaction(ctx.db, async (trx) => {
    const s = await staffForRule(trx, staffId);
    if (!s) return { ok: false, problem: 'missing' } as const;
    await resetStaffPasswordHash(trx, s.id, hash, ctx.clock.now().toISOString());
    await auditStaff(ctx, actor, { action: 'staff_password_reset', detail: { staffId: s.id, login: s.login } }, trx);
    return { ok: true, login: s.login, name: s.name, password } as const;
  });
}
