// Rate-limit counters live in the database (the rate_limits table), so that every process and machine serving the
// portal counts the same tries: rate-limiter-flexible's SQLite store on SQLite, its PostgreSQL store on PostgreSQL,
// both over the app's own knex instance. Expired rows are deleted by the retention job.
import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { isPostgres, type Db } from '../db';

export type LimiterOptions = { keyPrefix: string; points: number; duration: number; blockDuration?: number };

export function databaseRateLimiter(db: Db, o: LimiterOptions): RateLimiterAbstract {
  const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, ...o };
  return isPostgres(db) ? new RateLimiterPostgres(common) : new RateLimiterSQLite(common);
}
