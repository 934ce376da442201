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

  /**
   * Counts this try against the contract and the address before the (slow) password check, and gives it back when the
   * password was right: counted after, parallel guesses would all pass the limit while bcrypt runs. Returns the
   * seconds to wait when either limit is already reached.
   */
  async function countTry(contract: string, ip: string): Promise<number> {
    const results = await Promise.allSettled([byContract.consume(contract), byAddress.consume(ip)]);
    let wait = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
      wait = Math.max(wait, Math.ceil(r.reason.msBeforeNext / 1000));
    }
    return wait;
  }

  return {
    passwords,
    async signIn({ contract, password, ip }) {
      const wait = await countTry(contract, ip);
      if (wait > 0) {
        await audit(ctx, { actor: 'visitor', action: 'login_throttled', ip, detail: { contract } });
        return { kind: 'throttled', retryAfterSeconds: wait };
      }
      const row = await findContractForSignIn(ctx.db, contract);
      const ok = await passwords.verify(password, row?.password_hash ?? '');
      if (!row || !ok) {
        await audit(ctx, { actor: 'visitor', contractId: row?.id ?? null, action: 'login_failed', ip, detail: { contract } });
        return { kind: 'failed' };
      }
      await Promise.all([byContract.delete(contract), byAddress.reward(ip, 1)]);
      await audit(ctx, { actor: 'subscriber', actorId: row.id, contractId: row.id, action: 'login', ip });
      return { kind: 'ok', contractId: row.id };
    },
  };
}
