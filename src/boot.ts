// What both the server and the CLI do first: read config (one clear line if it is wrong), open and migrate the db.
import dotenv from 'dotenv';
import { systemClock } from './clock';
import { ConfigError, loadConfig } from './config';
import type { AppContext } from './context';
import { checkDatabase, migrateOrExplain, openDb } from './db';
import { createLogger } from './logger';
import { catalogueMode } from './web/i18nMode';

export async function boot(): Promise<AppContext> {
  dotenv.config({ quiet: true });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  catalogueMode({ config, logger });
  // DatabaseOpenError: one line naming the file or the server (server.ts, cli.ts print it)
  await checkDatabase(config.database);
  const db = openDb(config.database, { poolMax: config.databasePoolMax });
  await migrateOrExplain(db, config.database);
  return { config, db, clock: systemClock, logger };
}
