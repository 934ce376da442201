// Staff accounts from the CLI: made with a generated or given password (hashed as subscribers' are), reset, audited;
// bad input is one clear line and writes nothing.
import { createPasswordHasher } from '../../src/auth/passwords';
import { createStaff, generatePassword, resetStaffPassword, StaffInputError, STAFF_ROLES } from '../../src/staff/service';
import { makeTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const hasher = () => createPasswordHasher(t.ctx.config.passwordPepper, t.ctx.config.bcryptCost);
const hashOf = async (login: string) => (await t.ctx.db('staff').where({ login }).first('password_hash')).password_hash as string;

describe('staff accounts', () => {
  it('a migrated database has no staff account: production has none until someone makes one', async () => {
    expect(await t.ctx.db('staff').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('creates an account with a generated password that signs in through the same hasher, and audits it', async () => {
    const r = await createStaff(t.ctx, { login: ' Ivanov ', role: 'admin', name: 'Иван Иванов' });
    expect(r).toMatchObject({ login: 'ivanov', role: 'admin', generated: true });
    expect(r.password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
    expect(await t.ctx.db('staff').where({ id: r.id }).first('login', 'name', 'role')).toEqual({ login: 'ivanov', name: 'Иван Иванов', role: 'admin' });
    expect(await hasher().verify(r.password, await hashOf('ivanov'))).toBe(true);
    expect(await hasher().verify('something else', await hashOf('ivanov'))).toBe(false);
    const audit = await t.ctx.db('audit_log').where({ action: 'staff_created' }).first('actor', 'detail');
    expect(audit.actor).toBe('system');
    expect(JSON.parse(audit.detail)).toEqual({ staffId: r.id, login: 'ivanov', role: 'admin', via: 'cli' });
    expect(audit.detail).not.toContain(r.password);
  });

  it('takes a given password when it passes the rules, and every role of the console', async () => {
    for (const [i, role] of STAFF_ROLES.entries()) {
      const r = await createStaff(t.ctx, { login: `user${i}`, role, password: 'Длинная фраза для входа' });
      expect(r.generated).toBe(false);
      expect(await hasher().verify('Длинная фраза для входа', await hashOf(`user${i}`))).toBe(true);
    }
  });

  it('refuses bad input with one line and writes nothing', async () => {
    await createStaff(t.ctx, { login: 'ivanov', role: 'admin' });
    const fails = async (o: Parameters<typeof createStaff>[1]) => {
      const err = await createStaff(t.ctx, o).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StaffInputError);
      return (err as Error).message;
    };
    expect(await fails({ login: 'IVANOV', role: 'admin' })).toBe('staff account "ivanov" exists already (reset its password with: kabinet staff reset-password ivanov)');
    expect(await fails({ login: 'petrov', role: 'boss' })).toBe('unknown role "boss": one of admin, cashier, support, content');
    expect(await fails({ login: 'petrov', role: 'operator' })).toMatch(/^unknown role "operator"/);
    expect(await fails({ login: 'пётр', role: 'admin' })).toMatch(/^bad login "пётр": 3-40 characters/);
    expect(await fails({ login: 'ab', role: 'admin' })).toMatch(/^bad login/);
    expect(await fails({ login: '1abc', role: 'admin' })).toMatch(/^bad login/);
    expect(await fails({ login: 'petrov', role: 'admin', password: 'short' })).toMatch(/^the password is shorter than 8 characters/);
    expect(await fails({ login: 'petrov', role: 'admin', password: 'password123' })).toMatch(/^the password is a common password/);
    expect(await fails({ login: 'petrov', role: 'admin', password: 'petrov-2026!' })).toMatch(/^the password is made of the login/);
    expect(await t.ctx.db('staff').pluck('login')).toEqual(['ivanov']);
  });

  it('resets a password: a new generated one works, the old one no longer does', async () => {
    const made = await createStaff(t.ctx, { login: 'kassa', role: 'cashier' });
    const r = await resetStaffPassword(t.ctx, { login: 'KASSA' });
    expect(r.password).not.toBe(made.password);
    expect(await hasher().verify(r.password, await hashOf('kassa'))).toBe(true);
    expect(await hasher().verify(made.password, await hashOf('kassa'))).toBe(false);
    expect(await t.ctx.db('audit_log').where({ action: 'staff_password_reset' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    await expect(resetStaffPassword(t.ctx, { login: 'nobody' })).rejects.toThrow('there is no staff account "nobody" (make one with: kabinet staff create nobody --role admin)');
  });

  it('generates passwords that differ', () => {
    expect(new Set(Array.from({ length: 200 }, () => generatePassword())).size).toBe(200);
  });
});
