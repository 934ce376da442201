// In-cabinet notifications: what the portal tells a subscriber (a payment credited, an autopayment refused, a
// password changed). The notifications issue routes the same notices to SMS and e-mail by the subscriber's choice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('topic', 30).notNullable(); // see src/notifications/notify.ts
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.string('link', 300); // a path in the cabinet, e.g. /cabinet/pay
    // One notice per event: the same key twice (a retried job, a notification sent twice) notifies once.
    t.string('idempotency_key', 200).unique();
    t.string('created_at', 30).notNullable();
    t.string('read_at', 30);
    t.index(['contract_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
