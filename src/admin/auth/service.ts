// Staff sign-in and the staff member's own password. The same guessing limits as subscribers' (src/auth/guard.ts,
// counted apart), the same hashing, one answer for every failure (an unknown login, a wrong password, a disabled
// account), and an audit row for each sign-in, failure, refusal and password change.
import { audit, auditStaff, type StaffActor } from '../../audit/service';
import { createSignInGuard } from '../../auth/guard';
import type { PasswordHasher } from '../../auth/passwords';
import type { AppContext } from '../../context';
import { checkNewPassword, type PasswordProblem } from '../../recovery/passwordRules';
import { markSignedIn, setOwnPassword, staffForSignIn, staffPasswordHash } from './queries';

export type StaffSignIn = { kind: 'ok'; staffId: number } | { kind: 'failed' } | { kind: 'throttled'; retryAfterSeconds: number };
export type OwnPasswordResult = { ok: true } | { ok: false; field: 'current' | 'password'; problem: 'wrong' | Exclude<PasswordProblem, null> };

export function createStaffAuthService(ctx: AppContext, passwords: PasswordHasher) {
  const guard = createSignInGuard(ctx, 'staff');
  return {
    async signIn({ login, password, ip }: { login: string; password: string; ip: string }): Promise<StaffSignIn> {
      const name = login.trim().toLowerCase().slice(0, 60);
      const verdict = await guard.begin(name, ip);
      if (verdict.kind === 'wait') {
        await audit(ctx, { actor: 'visitor', action: 'staff_login_throttled', ip, detail: { login: name } });
        return { kind: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
      }
      const row = await staffForSignIn(ctx.db, name);
      const ok = (await passwords.verify(password, row?.password_hash ?? '')) && Boolean(row?.active);
      await verdict.done(Boolean(row && ok));
      if (!row || !ok) {
        await audit(ctx, { actor: 'visitor', action: 'staff_login_failed', ip, detail: { login: name, ...(row && !row.active ? { disabled: true } : {}) } });
        return { kind: 'failed' };
      }
      await markSignedIn(ctx.db, row.id, ctx.clock.now().toISOString());
      await audit(ctx, { actor: 'staff', actorId: row.id, action: 'staff_login', ip });
      return { kind: 'ok', staffId: row.id };
    },

    async changeOwnPassword(actor: StaffActor & { login: string }, o: { current: string; password: string; repeat: string }): Promise<OwnPasswordResult> {
      const hash = await staffPasswordHash(ctx.db, actor.staffId);
      if (!hash || !(await passwords.verify(o.current, hash))) {
        await auditStaff(ctx, actor, { action: 'staff_password_change_failed' });
        return { ok: false, field: 'current', problem: 'wrong' };
      }
      const problem = checkNewPassword(o.password, o.repeat, { contractNumber: actor.login, providerName: ctx.config.provider.name });
      if (problem) return { ok: false, field: 'password', problem };
      await setOwnPassword(ctx.db, actor.staffId, await passwords.hash(o.password), ctx.clock.now().toISOString());
      await auditStaff(ctx, actor, { action: 'staff_password_changed' });
      return { ok: true };
    },
  };
}
export type StaffAuthService = ReturnType<typeof createStaffAuthService>;
