import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Db } from './db';

/** What every part of the app is given: no module reaches for globals. */
export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
}
