// «Добровольная блокировка»: the rules, the current block and the history, the form (dates from/to), a "check
// your answers" page, confirm (POST with confirm=1 and a one-time key), the block's page, cancel and end early.
// Plain forms and 303s: the same with or without JavaScript.
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { addDays, formatDay } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { requireSubscriber } from '../web/auth';
import { Conflict, NotFound } from '../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { belowFloor, t, type MessageKey } from '../web/i18n';
import { confirmForm, periodForm, type PeriodInput } from './forms';
import { countedDays, daysInclusive, MAX_DAYS_AHEAD, type PeriodError } from './rules';
import type { Refusal, VoluntaryBlockService } from './service';

type Page = Awaited<ReturnType<VoluntaryBlockService['page']>>;
type Params = Record<string, string | number>;
const BASE = '/cabinet/voluntary-block';

/** t() with this page's figures filled in, so that the shared error summary and field hints can show them too. */
const withParams = (fixed: Params) => (key: MessageKey, params: Params = {}) => t(key, { ...fixed, ...params });
const days = (count: number) => t('vb.days', { count });

function ruleParams(rules: Page['rules'], today: string, floor: number): Params {
  return {
    minDays: days(rules.minDays), maxDays: days(rules.maxDays), perYear: days(rules.daysPerYear), fee: formatMoney(rules.dailyFeeKopecks),
    today: formatDay(today), latestStart: formatDay(addDays(today, MAX_DAYS_AHEAD)), floor: formatMoney(floor), belowFloor: belowFloor(floor),
  };
}

const periodParams = (p: PeriodInput): Params => ({ from: formatDay(p.from), to: formatDay(p.to), length: days(daysInclusive(p.from, p.to)), endDay: formatDay(addDays(p.to, 1)) });

export function voluntaryBlockRoutes(blocks: VoluntaryBlockService, tz: string): Router {
  const router = Router();
  router.use(BASE, requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  type Extra = { values?: Record<string, string>; fieldErrors?: FieldErrors; error?: PeriodError; refusal?: Refusal; alert?: boolean };
  const renderIndex = (res: Response, page: Page, status: number, extra: Extra = {}) => {
    const params: Params = ruleParams(page.rules, page.today, page.floor);
    if (extra.error?.key === 'vb.to.overYear') Object.assign(params, { year: extra.error.year, left: days(extra.error.left) });
    res.status(status).render('voluntary-block/index', {
      title: 'vb.title', ...page, refusal: extra.refusal ?? page.refusal, alert: Boolean(extra.alert),
      values: extra.values ?? { from: '', to: '' },
      fieldErrors: extra.fieldErrors ?? (extra.error ? { [extra.error.field]: extra.error.key } : {}),
      countedDays: (b: Page['blocks'][number]) => countedDays(b, tz), addDays,
      t: withParams(params),
    });
  };

  router.get(BASE, async (req, res) => renderIndex(res, await blocks.page(req.user!.contractId), 200));

  router.post(BASE, async (req, res) => {
    if (req.body?.confirm !== undefined) return confirm(req, res);
    const contractId = req.user!.contractId;
    const values = typedValues(req.body, ['from', 'to']);
    const form = parseForm(periodForm, req.body);
    if (!form.ok) return renderIndex(res, await blocks.page(contractId), 422, { values, fieldErrors: form.errors });
    const checked = await blocks.check(contractId, form.data);
    if (checked.refusal) return renderIndex(res, checked, 409, { values, alert: true });
    if (!checked.verdict.ok) return renderIndex(res, checked, 422, { values, error: checked.verdict.error });
    res.render('voluntary-block/check', {
      title: 'vb.check.title', ...checked, period: form.data, key: crypto.randomUUID(), startsNow: form.data.from === checked.today,
      t: withParams({ ...ruleParams(checked.rules, checked.today, checked.floor), ...periodParams(form.data) }),
    });
  });

  async function confirm(req: Request, res: Response) {
    const contractId = req.user!.contractId;
    const values = typedValues(req.body, ['from', 'to']);
    const form = parseForm(confirmForm, req.body);
    if (!form.ok) {
      const dateErrors = Object.fromEntries(Object.entries(form.errors).filter(([f]) => f === 'from' || f === 'to'));
      return renderIndex(res, await blocks.page(contractId), 422, { values, fieldErrors: Object.keys(dateErrors).length ? dateErrors : { from: 'vb.again' } });
    }
    const r = await blocks.create(contractId, form.data, form.data.key);
    if (r.kind === 'created') return res.redirect(303, `${BASE}/${r.id}`);
    const page = await blocks.page(contractId);
    if (r.kind === 'refused') return renderIndex(res, page, 409, { values, refusal: r.refusal, alert: true });
    renderIndex(res, page, 422, { values, error: r.error });
  }

  const blockId = (req: Request) => {
    if (!/^\d{1,9}$/.test(String(req.params.id))) throw new NotFound();
    return Number(req.params.id);
  };

  router.get(`${BASE}/:id`, async (req, res) => {
    const shown = await blocks.show(req.user!.contractId, blockId(req));
    const { block } = shown;
    res.render('voluntary-block/show', {
      title: 'vb.title', ...shown, days: countedDays(block, tz), addDays,
      t: withParams({ ...ruleParams(shown.rules, shown.today, shown.floor), ...periodParams({ from: block.from_day, to: block.to_day }) }),
    });
  });

  router.post(`${BASE}/:id/cancel`, async (req, res) => {
    const id = blockId(req);
    if (!(await blocks.cancel(req.user!.contractId, id))) throw new Conflict('vb.cancel.tooLate');
    res.redirect(303, `${BASE}/${id}`);
  });

  router.post(`${BASE}/:id/end`, async (req, res) => {
    const id = blockId(req);
    if (!(await blocks.endEarly(req.user!.contractId, id))) throw new Conflict('vb.end.notActive');
    res.redirect(303, `${BASE}/${id}`);
  });

  return router;
}
