import { hotGet, type Db } from '../db';

export type ContractSummaryRow = {
  id: number; number: string; name: string; address: string; town: string; status: 'active' | 'blocked' | 'paused';
  balance_kopecks: number; tariff_name: string; monthly_fee_kopecks: number;
  internet_mbps: number | null; tv_package: string | null;
};

// Everything the dashboard shows, in one query over the contract's own row. Raw and prepared (hotGet): it runs
// on every dashboard and balance refresh, where knex's query building costs more than the query itself.
const SUMMARY_SQL = `select c.id, c.number, c.name, c.address, tw.name as town, c.status, c.balance_kopecks,
    t.name as tariff_name, t.monthly_fee_kopecks, t.internet_mbps, t.tv_package
  from contracts c join towns tw on tw.id = c.town_id join tariffs t on t.id = c.tariff_id
  where c.id = ?`;

export const findContractSummary = (db: Db, contractId: number) => hotGet<ContractSummaryRow>(db, SUMMARY_SQL, [contractId]);
