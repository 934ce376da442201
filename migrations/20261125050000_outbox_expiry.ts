// A one-time code in the outbox expires: after expires_at it is marked failed ('expired') instead of being sent late.
// Queued codes already in the table get created_at + 10 minutes (RECOVERY_CODE_MINUTES' default).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.string('expires_at', 30); // null: never expires (everything but one-time codes)
  });
  const rows = (await knex('outbox').where({ one_time_code: true }).select('id', 'created_at')) as { id: number; created_at: string }[];
  for (const r of rows) {
    await knex('outbox').where({ id: r.id }).update({ expires_at: new Date(new Date(r.created_at).getTime() + 10 * 60_000).toISOString() });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('expires_at');
  });
}
