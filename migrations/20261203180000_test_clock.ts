// The testers' movable clock (issue 14, src/test-clock): one row that every process of a development or test
// instance reads (at most once a second) to know what time it is. `at` is the test time at the real instant `since`;
// the clock runs on from there: now = at + (real now − since). Both null: real time (`kabinet clock reset`), the row
// kept for `started_from`, the KABINET_NOW value already applied (a restart with the same value keeps the moved clock).
// Production never reads it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('test_clock', (t) => {
    t.string('name', 20).primary(); // always 'clock': one row
    t.string('at', 30); // UTC ISO: the test time …
    t.string('since', 30); // … when the real clock showed this (UTC ISO)
    t.string('started_from', 40); // the KABINET_NOW value last applied at a start, as typed
    t.string('changed_by', 100).notNullable(); // 'KABINET_NOW=…', 'kabinet clock advance 3d', …
    t.string('changed_at', 30).notNullable(); // real time, UTC ISO
  });
}

export async function down(): Promise<void> {
  // forward only
}
