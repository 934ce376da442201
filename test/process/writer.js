// Another process writing to the same database file all the time (issue 9, point 1): one small autocommit write every
// `intervalMs` (heartbeats row 'test-writer'), waiting for the lock as a plain SQLite client does (busy_timeout 5 s).
// Prints "writing" once started, and "wrote N failed M" when it gets SIGTERM.
//   node test/process/writer.js <database file> <intervalMs>
'use strict';
const Database = require('better-sqlite3');

const [file, intervalMs] = process.argv.slice(2);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const write = db.prepare(`insert into heartbeats (name, at) values ('test-writer', ?) on conflict (name) do update set at = excluded.at`);
let wrote = 0;
let failed = 0;
const timer = setInterval(() => {
  try {
    write.run(new Date().toISOString());
    wrote++;
  } catch (err) {
    failed++;
    process.stderr.write(`writer: ${err.message}\n`);
  }
}, Number(intervalMs));
process.stdout.write('writing\n');
process.on('SIGTERM', () => {
  clearInterval(timer);
  db.close();
  process.stdout.write(`wrote ${wrote} failed ${failed}\n`);
  process.exit(0);
});
