// Heartbeats: one row per thing that proves it is alive by writing. 'scheduler': the scheduler's last tick (written by
// whichever process runs it, so that a process with BILLING_SCHEDULER=false still sees it); 'health': /healthz's
// write probe (the database accepts a write).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('heartbeats', (t) => {
    t.string('name', 40).primary();
    t.string('at', 30).notNullable();
    t.string('detail', 200); // scheduler: the start of a run still going when the tick came, else null
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('heartbeats');
}
