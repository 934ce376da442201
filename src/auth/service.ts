// Signing in: one answer for every failure; guessing limited by src/auth/guard.ts (per contract and network).
import { audit } from '../audit/service';
import type { AppContext } from '../context';
import { createSignInGuard } from './guard';
import { findContractForSignIn } from './queries';
import { createPasswordHasher, type PasswordHasher } from './passwords';

export type SignInResult =
  | { kind: 'ok'; contractId: number }
  | { kind: 'failed' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface AuthService {
  signIn(input: { contract: string; password: string; ip: string }): Promise<SignInResult>;
  passwords: PasswordHasher;
}

export function createAuthService(ctx: AppContext): AuthService {
  const guard = createSignInGuard(ctx);
  const passwords = createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);

  return {
    passwords,
    async signIn({ contract, password, ip }) {
      const verdict = await guard.begin(contract, ip);
      if (verdict.kind === 'wait') {
        await audit(ctx, { actor: 'visitor', action: 'login_throttled', ip, detail: { contract } });
        return { kind: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
      }
      const row = await findContractForSignIn(ctx.db, contract);
      const ok = await passwords.verify(password, row?.password_hash ?? '');
      await verdict.done(Boolean(row && ok));
      if (!row || !ok) {
        await audit(ctx, { actor: 'visitor', contractId: row?.id ?? null, action: 'login_failed', ip, detail: { contract } });
        return { kind: 'failed' };
      }
      await audit(ctx, { actor: 'subscriber', actorId: row.id, contractId: row.id, action: 'login', ip });
      return { kind: 'ok', contractId: row.id };
    },
  };
}
