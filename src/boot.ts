// What both the server and the CLI do first: read config (one clear line if it is wrong), open and migrate the db.
import dotenv from 'dotenv';
import type { Logger } from 'pino';
import { backupBeforeMigrate } from './backup/sqlite';
import { systemClock } from './clock';
import { ConfigError, loadConfig, type Config } from './config';
import type { AppContext } from './context';
import { checkDatabase, DatabaseOpenError, migrateOrExplain, openDb } from './db';
import { createLogger } from './logger';
import { openClock } from './test-clock/dbClock';
import { catalogueMode } from './web/i18nMode';

/** The settings from the environment and .env; a wrong one stops the process with one line. */
export function readConfig(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** SQLite: a copy of the database in backups/ beside it before migrations change its schema (none for a new file). */
async function backupIfMigrating(config: Config, logger: Logger): Promise<void> {
  if (!config.backupBeforeMigrate || config.databaseUrl) return; // PostgreSQL: the nightly pg_dump (deploy/cron)
  try {
    const r = await backupBeforeMigrate(config.databaseFile, systemClock.now());
    if (r) logger.info({ backup: r.file, pending: r.pending }, `database backed up to ${r.file} before applying ${r.pending.length} migration(s)`);
  } catch (err) {
    throw new DatabaseOpenError(`cannot back up the database before migrating it (set BACKUP_BEFORE_MIGRATE=false to skip): ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function boot(): Promise<AppContext> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  catalogueMode({ config, logger });
  // DatabaseOpenError: one line naming the file or the server (server.ts, cli.ts print it)
  await checkDatabase(config.database);
  await backupIfMigrating(config, logger);
  const db = openDb(config.database, { poolMax: config.databasePoolMax });
  await migrateOrExplain(db, config.database);
  // the real clock in production; elsewhere the testers' clock (KABINET_NOW, `kabinet clock`: src/test-clock)
  const clock = await openClock(config, db, logger);
  return { config, db, clock, logger };
}
