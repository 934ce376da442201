// Password guessing limits that a stranger cannot turn against the owner (issue 9, point 7). Used by sign-in and by
// the contacts page's password re-check, over the same counters in `rate_limits` (rate-limiter-flexible on SQLite):
// - per contract and client network (LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK): that network is refused on that contract;
// - per client network (LOGIN_MAX_FAILS_PER_ADDRESS): that network is refused on every contract;
// - per contract from all networks (LOGIN_MAX_FAILS_PER_CONTRACT): never refuses by itself; while it is over, a
//   network that already failed on the contract waits, and a network with no failures still gets its try. So an
//   attack from many networks gets one guess per network per window, and the owner signs in from a clean network.
// Networks: an IPv6 client counts by its /64 (src/web/clientNetwork.ts). Counters survive a restart.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { databaseRateLimiter } from '../web/rateLimits';
import type { AppContext } from '../context';
import { networkOf } from '../web/clientNetwork';

export type GuardVerdict =
  | { kind: 'go'; /** Call with the check's outcome: a success gives the try back, a failure counts on the contract too. */ done(ok: boolean): Promise<void> }
  | { kind: 'wait'; retryAfterSeconds: number };

export interface SignInGuard {
  /** Counts this try before the (slow) password check: counted after, parallel guesses would all pass while bcrypt runs. */
  begin(contract: string, ip: string): Promise<GuardVerdict>;
}

/** Whose sign-in: the subscribers' counters and the staff console's are kept apart (the same limits). */
export type SignInKind = 'subscriber' | 'staff';

export function createSignInGuard(ctx: AppContext, kind: SignInKind = 'subscriber'): SignInGuard {
  const { login } = ctx.config;
  const prefix = kind === 'staff' ? 'staff_' : '';
  const limiter = (keyPrefix: string, points: number, blockDuration: number) =>
    databaseRateLimiter(ctx.db, { keyPrefix: prefix + keyPrefix, points, duration: login.blockSeconds, blockDuration });
  const byPair = limiter('login_contract_net', login.maxFailsPerContractNetwork, login.blockSeconds);
  const byNetwork = limiter('login_address', login.maxFailsPerAddress, login.blockSeconds);
  const byContract = limiter('login_contract', login.maxFailsPerContract, 0); // counted with penalty(): never refuses
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return {
    async begin(contract, ip) {
      const net = networkOf(ip);
      const pairKey = `${contract}|${net}`;
      const [pair, network] = await Promise.allSettled([byPair.consume(pairKey), byNetwork.consume(net)]);
      let wait = 0;
      for (const r of [pair, network]) {
        if (r.status === 'fulfilled') continue;
        if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
        wait = Math.max(wait, seconds(r.reason.msBeforeNext));
      }
      // Tries this network made on this contract before this one (failures, or tries still in flight).
      const before = pair.status === 'fulfilled' ? pair.value.consumedPoints - 1 : 0;
      if (!wait && before > 0) {
        const all = await byContract.get(contract);
        if (all && all.consumedPoints >= login.maxFailsPerContract) wait = seconds(all.msBeforeNext);
      }
      if (wait) return { kind: 'wait', retryAfterSeconds: wait };
      return {
        kind: 'go',
        async done(ok) {
          if (ok) await Promise.all([byPair.delete(pairKey), byNetwork.reward(net, 1)]);
          else await byContract.penalty(contract, 1);
        },
      };
    },
  };
}
