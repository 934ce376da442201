import { periodQuery, type PeriodQuery } from '../web/fields';

/** The period and page of «Выписка» (and the period of its CSV); the same query string with or without JavaScript. */
export const statementQuery = periodQuery();
export type StatementQuery = PeriodQuery;
