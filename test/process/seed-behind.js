// A large seed whose last charged day is N days ago, as if the server had been down since: the next start
// catches those days up. Over the compiled app in dist/.
//   node test/process/seed-behind.js <database file> <contracts> <days behind>
'use strict';
const path = require('node:path');

const dist = path.join(__dirname, '..', '..', 'dist');
const { migrate, openDb } = require(path.join(dist, 'src', 'db.js'));
const { addDays, dayOf, startOfDay } = require(path.join(dist, 'src', 'lib', 'dates.js'));
const { seedLarge } = require(path.join(dist, 'seeds', 'large.js'));
const { loadConfig } = require(path.join(dist, 'src', 'config.js'));
const { createPasswordHasher } = require(path.join(dist, 'src', 'auth', 'passwords.js'));

const TZ = 'Asia/Novokuznetsk';

async function main() {
  const [file, contracts, behind] = process.argv.slice(2);
  const today = addDays(dayOf(new Date(), TZ), -Number(behind));
  // The development pepper, as the test's servers have it: 100001 / centra2026 signs in.
  const hasher = createPasswordHasher(loadConfig({ NODE_ENV: 'development', DATABASE_FILE: file }).passwordPepper, 4);
  const db = openDb(file);
  try {
    await migrate(db);
    const now = new Date(startOfDay(today, TZ).getTime() + 12 * 3600_000);
    await seedLarge(db, { contracts: Number(contracts), months: 2, today, timeZone: TZ, now, hashPassword: hasher.hash });
    process.stdout.write(`seeded through ${today}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`seed-behind: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
