// Another process writing to the database without pause, for the backup and restore tests: each transaction adds
// two audit rows (action 'pair'), so a consistent snapshot always holds an even number of them.
//   node test/process/pair-writer.js <database file>
// Prints "writing" after its first commit, and "wrote N pairs" when stopped with SIGTERM.
'use strict';
const Database = require('better-sqlite3');

const db = new Database(process.argv[2], { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare("insert into audit_log (at, actor, action, detail) values (?, 'system', 'pair', ?)");
const pair = db.transaction((n) => {
  const at = new Date().toISOString();
  insert.run(at, `${n}a`);
  insert.run(at, `${n}b`);
});
let n = 0;
let stop = false;
process.on('SIGTERM', () => (stop = true));
(function step() {
  if (stop) {
    db.close();
    process.stdout.write(`wrote ${n} pairs\n`);
    process.exit(0);
  }
  pair.immediate(++n);
  if (n === 1) process.stdout.write('writing\n');
  setImmediate(step);
})();
