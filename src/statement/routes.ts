// «Выписка»: htmx swaps the statement region and pushes the address; the same address is a whole page. The CSV of
// the same period is a plain download (a bad period gets the page again, 422, with the message).
import { Router, type Request, type Response } from 'express';
import { requireSubscriber } from '../web/auth';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { renderPageOrFragment } from '../web/htmx';
import { t, type MessageKey } from '../web/i18n';
import { statementQuery, type StatementQuery } from './forms';
import { MAX_MONTHS, type Period } from './period';
import { PAGE_SIZE, type StatementService } from './service';

const VIEWS = { page: 'statement/index', fragment: 'statement/_statement' };

const KIND_KEYS: Record<string, MessageKey> = {
  payment: 'statement.kind.payment',
  charge: 'statement.kind.charge',
  promised_credit: 'statement.kind.promised_credit',
  promised_repayment: 'statement.kind.promised_repayment',
  correction: 'statement.kind.correction',
  refund: 'statement.kind.refund',
};
const kindLabel = (kind: string) => (KIND_KEYS[kind] ? t(KIND_KEYS[kind]) : kind);
const CSV_HEADER: MessageKey[] = ['statement.csv.date', 'statement.csv.kind', 'statement.csv.description', 'statement.csv.period', 'statement.csv.amount', 'statement.csv.balance'];

/** t() that knows the period limit, for the message of a period too long. */
const tWithLimit = (key: MessageKey, params: Record<string, string | number> = {}) => t(key, { max: t('statement.months', { count: MAX_MONTHS }), ...params });

export function statementRoutes(statements: StatementService): Router {
  const router = Router();
  router.use(['/cabinet/statement', '/cabinet/statement.csv'], requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // private data: never from a shared or back-forward cache
    next();
  });

  /** The query and the period it asks for, or the page again (422) with what is wrong. */
  function parse(req: Request, res: Response): { query: StatementQuery; period: Period } | null {
    const values = typedValues(req.query, ['from', 'to']);
    const query = parseForm(statementQuery, req.query);
    let fieldErrors: FieldErrors | null = query.ok ? null : query.errors;
    if (query.ok) {
      const period = statements.period(query.data);
      if (period.ok) return { query: query.data, period: period.period };
      fieldErrors = period.errors;
    }
    renderPageOrFragment(req, res, VIEWS, { title: 'statement.title', values, fieldErrors, statement: null, t: tWithLimit }, 422);
    return null;
  }

  router.get('/cabinet/statement', async (req, res) => {
    const parsed = parse(req, res);
    if (!parsed) return;
    const statement = await statements.statement(req.user!.contractId, parsed.period, parsed.query.page);
    // The days as parsed (2026-11-24): a date input shows only that form, whichever way they were typed.
    const values = { from: parsed.query.from ?? '', to: parsed.query.to ?? '' };
    renderPageOrFragment(req, res, VIEWS, {
      title: 'statement.title', values, statement, query: parsed.query, pageSize: PAGE_SIZE, kindLabel, t: tWithLimit,
    });
  });

  router.get('/cabinet/statement.csv', async (req, res) => {
    const parsed = parse(req, res);
    if (!parsed) return;
    const file = await statements.csv(req.user!.contractId, parsed.period, { header: CSV_HEADER.map((k) => t(k)), kind: kindLabel });
    res.attachment(file.filename);
    res.type('text/csv; charset=utf-8').send(file.body);
  });

  return router;
}
