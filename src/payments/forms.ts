import { periodQuery, type PeriodQuery } from '../web/fields';

/** The period filter and page of «История платежей»; the same query string with or without JavaScript. */
export const historyQuery = periodQuery();
export type HistoryQuery = PeriodQuery;
