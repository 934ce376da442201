// The daily charge run of one day in a process of its own, over the compiled engine in dist/ (built before the
// e2e project runs), for the kill -9 test in charges.test.ts. Plain JavaScript: node runs it as it is.
//   node test/process/charge-day.js <database file> <YYYY-MM-DD>
// Prints "running <day>" just before the run starts, then "done <json>" or "already done <day>".
'use strict';
const path = require('node:path');

const dist = path.join(__dirname, '..', '..', 'dist', 'src');
const { runChargeDay } = require(path.join(dist, 'billing', 'charges.js'));
const { openDb } = require(path.join(dist, 'db.js'));
const { isDay, startOfDay } = require(path.join(dist, 'lib', 'dates.js'));

const TZ = 'Asia/Novokuznetsk';

async function main() {
  const [file, day] = process.argv.slice(2);
  if (!file || !day || !isDay(day)) throw new Error('usage: charge-day.js <database file> <YYYY-MM-DD>');
  const db = openDb(file);
  try {
    await db.raw('select 1'); // the connection is open before "running" is said
    process.stdout.write(`running ${day}\n`);
    const now = new Date(startOfDay(day, TZ).getTime() + 5 * 60_000);
    const r = await runChargeDay(db, day, { timeZone: TZ, now, pausedDailyFeeKopecks: 0 });
    process.stdout.write(r.alreadyDone ? `already done ${day}\n` : `done ${JSON.stringify(r)}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`charge-day: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
