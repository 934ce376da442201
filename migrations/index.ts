// Migrations are listed here rather than found by globbing the folder, so that the same list runs from
// TypeScript (tests) and from the compiled dist/ (npm start). Forward only: add a new file, never edit one.
import type { Knex } from 'knex';
import * as m20261124000000 from './20261124000000_foundation';
import * as m20261125000000 from './20261125000000_billing';
import * as m20261125000100 from './20261125000100_voluntary_block_request';
import * as m20261125000200 from './20261125000200_tariff_change_request';
import * as m20261125010000 from './20261125010000_notifications';
import * as m20261125020000 from './20261125020000_online_payments';
import * as m20261125030000 from './20261125030000_outbox_recovery';
import * as m20261125030100 from './20261125030100_contact_changes';
import * as m20261125040000 from './20261125040000_notifications_unread';
import * as m20261125050000 from './20261125050000_outbox_expiry';
import * as m20261125050100 from './20261125050100_payment_requests';
import * as m20261202000000 from './20261202000000_heartbeats';
import * as m20261202010000 from './20261202010000_provider_bank_details';
import * as m20261202040100 from './20261202040100_autopay_consent_changes';
import * as m20261202050000 from './20261202050000_charge_periods';
import * as m20261203000000 from './20261203000000_notifications_unread_id';
import * as m20261203100000 from './20261203100000_operators';
import * as m20261203110000 from './20261203110000_contract_search';
import * as m20261203120000 from './20261203120000_contract_start_day';
import * as m20261203130000 from './20261203130000_contract_closing';
import * as m20261203140000 from './20261203140000_cash_desk';
import * as m20261203150000 from './20261203150000_bank_registers';
import * as m20261203160000 from './20261203160000_queues';
import * as m20261203170000 from './20261203170000_tariff_price_changes';
import * as m20261203180000 from './20261203180000_test_clock';

type Migration = { name: string; module: Knex.Migration };

const migrations: Migration[] = [
  { name: '20261124000000_foundation', module: m20261124000000 },
  { name: '20261125000000_billing', module: m20261125000000 },
  { name: '20261125000100_voluntary_block_request', module: m20261125000100 },
  { name: '20261125000200_tariff_change_request', module: m20261125000200 },
  { name: '20261125010000_notifications', module: m20261125010000 },
  { name: '20261125020000_online_payments', module: m20261125020000 },
  { name: '20261125030000_outbox_recovery', module: m20261125030000 },
  { name: '20261125030100_contact_changes', module: m20261125030100 },
  { name: '20261125040000_notifications_unread', module: m20261125040000 },
  { name: '20261125050000_outbox_expiry', module: m20261125050000 },
  { name: '20261125050100_payment_requests', module: m20261125050100 },
  { name: '20261202000000_heartbeats', module: m20261202000000 },
  { name: '20261202010000_provider_bank_details', module: m20261202010000 },
  { name: '20261202040100_autopay_consent_changes', module: m20261202040100 },
  { name: '20261202050000_charge_periods', module: m20261202050000 },
  { name: '20261203000000_notifications_unread_id', module: m20261203000000 },
  { name: '20261203100000_operators', module: m20261203100000 },
  { name: '20261203110000_contract_search', module: m20261203110000 },
  { name: '20261203120000_contract_start_day', module: m20261203120000 },
  { name: '20261203130000_contract_closing', module: m20261203130000 },
  { name: '20261203140000_cash_desk', module: m20261203140000 },
  { name: '20261203150000_bank_registers', module: m20261203150000 },
  { name: '20261203160000_queues', module: m20261203160000 },
  { name: '20261203170000_tariff_price_changes', module: m20261203170000 },
  { name: '20261203180000_test_clock', module: m20261203180000 },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m.module,
};
