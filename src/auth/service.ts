// Signing in: one answer for every failure, attempts counted per contract and per address in SQLite.
import { RateLimiterSQLite, RateLimiterRes } from 'rate-limiter-flexible';
import { audit } from '../audit/service';
import type { AppContext } from '../context';
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
  const { login } = ctx.config;
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterSQLite({
      storeClient: ctx.db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true,
      keyPrefix, points, duration: login.blockSeconds, blockDuration: login.blockSeconds,
    });
  const byContract = limiter('login_contract', login.maxFailsPerContract);
  const byAddress = limiter('login_address', login.maxFailsPerAddress);
  const passwords = createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);

  async function throttled(contract: string, ip: string): Promise<number> {
    const [c, a] = await Promise.all([byContract.get(contract), byAddress.get(ip)]);
    const over = (r: RateLimiterRes | null, max: number) => (r && r.consumedPoints >= max ? Math.ceil(r.msBeforeNext / 1000) : 0);
    return Math.max(over(c, login.maxFailsPerContract), over(a, login.maxFailsPerAddress));
  }

  async function countFailure(contract: string, ip: string): Promise<void> {
    // consume() rejects once the limit is passed; the rejection is the point, not an error.
    await Promise.allSettled([byContract.consume(contract), byAddress.consume(ip)]);
  }

  return {
    passwords,
    async signIn({ contract, password, ip }) {
      const wait = await throttled(contract, ip);
      if (wait > 0) {
        await audit(ctx, { actor: 'visitor', action: 'login_throttled', ip, detail: { contract } });
        return { kind: 'throttled', retryAfterSeconds: wait };
      }
      const row = await findContractForSignIn(ctx.db, contract);
      const ok = await passwords.verify(password, row?.password_hash ?? '');
      if (!row || !ok) {
        await countFailure(contract, ip);
        await audit(ctx, { actor: 'visitor', contractId: row?.id ?? null, action: 'login_failed', ip, detail: { contract } });
        return { kind: 'failed' };
      }
      await byContract.delete(contract);
      await audit(ctx, { actor: 'subscriber', actorId: row.id, contractId: row.id, action: 'login', ip });
      return { kind: 'ok', contractId: row.id };
    },
  };
}
