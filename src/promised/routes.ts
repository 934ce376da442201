// «Обещанный платёж»: the rules and the form, a "check your answers" page, then confirm (POST with confirm=1 and
// a one-time key) and a confirmation page. Plain forms and 303s: the same with or without JavaScript.
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { formatDateTime, formatDay } from '../lib/dates';
import { amountInput, formatMoney } from '../lib/money';
import { requireSubscriber } from '../web/auth';
import { NotFound } from '../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { belowFloor, t, type MessageKey } from '../web/i18n';
import { amountForm, confirmForm } from './forms';
import type { Refusal } from './rules';
import type { PromisedService } from './service';

type Page = Awaited<ReturnType<PromisedService['page']>>;
type Params = Record<string, string | number>;

/** t() with this page's figures filled in, so that the shared error summary and field hint can show them too. */
const withParams = (fixed: Params) => (key: MessageKey, params: Params = {}) => t(key, { ...fixed, ...params });

function pageParams(page: Page, tz: string, refusal: Refusal | null): Params {
  const { rules } = page;
  const p: Params = {
    term: t('promised.days', { count: rules.termDays }),
    interval: t('promised.days', { count: rules.intervalDays }),
    percent: rules.maxPercentOfFee,
    largest: formatMoney(page.largest),
    floor: formatMoney(page.floor),
    belowFloor: belowFloor(page.floor),
    due: formatDateTime(page.dueAt, tz),
  };
  if (page.verdict.ok) Object.assign(p, { min: formatMoney(page.verdict.offer.min), max: formatMoney(page.verdict.offer.max) });
  if (refusal?.reason === 'open') Object.assign(p, { amount: formatMoney(refusal.amount), openDue: formatDateTime(refusal.dueAt, tz), next: formatDay(refusal.next) });
  if (refusal?.reason === 'interval') p.next = formatDay(refusal.next);
  if (refusal?.reason === 'debt') Object.assign(p, { max: formatMoney(refusal.max), need: formatMoney(refusal.need), debt: formatMoney(refusal.debt) });
  return p;
}

/** What to do instead, for every refusal: pay (with the amount that opens the service, when that is the point),
 * end the voluntary block, or go back. Links only: they work without JavaScript. */
export function wayForward(refusal: Refusal): { href: string; label: MessageKey; params?: Params }[] {
  const back = { href: '/cabinet', label: 'promised.toCabinet' as const };
  const pay = { href: '/cabinet/pay', label: 'cabinet.pay' as const };
  switch (refusal.reason) {
    case 'debt':
      return [{ href: `/cabinet/pay?amount=${encodeURIComponent(amountInput(refusal.need))}`, label: 'cabinet.payAmount', params: { amount: formatMoney(refusal.need) } }, { href: '/contacts#pay', label: 'promised.forward.elsewhere' }];
    case 'paused':
      return [{ href: '/cabinet/voluntary-block', label: 'promised.forward.block' }, back];
    case 'late':
      return [pay, { href: '/contacts', label: 'promised.forward.call' }];
    case 'noFee':
    case 'closed':
      return [back];
    default: // open, interval, notNeeded: paying is the way
      return [pay, back];
  }
}

export function promisedRoutes(promised: PromisedService, tz: string): Router {
  const router = Router();
  router.use('/cabinet/promised', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  type Extra = { values?: Record<string, string>; fieldErrors?: FieldErrors; refusal?: Refusal; alert?: boolean };
  const renderIndex = (res: Response, page: Page, status: number, extra: Extra = {}) => {
    const offer = page.verdict.ok ? page.verdict.offer : null;
    const refusal = extra.refusal ?? (page.verdict.ok ? null : page.verdict.refusal);
    res.status(status).render('promised/index', {
      title: 'promised.title', ...page, offer, refusal, alert: Boolean(extra.alert), forward: refusal ? wayForward(refusal) : [],
      values: extra.values ?? { amount: offer ? amountInput(offer.suggested) : '' },
      fieldErrors: extra.fieldErrors ?? {},
      t: withParams(pageParams(page, tz, refusal)),
    });
  };

  router.get('/cabinet/promised', async (req, res) => {
    const page = await promised.page(req.user!.contractId);
    const typed = typeof req.query.amount === 'string' ? req.query.amount.slice(0, 20) : undefined;
    renderIndex(res, page, 200, typed === undefined ? {} : { values: { amount: typed } });
  });

  router.post('/cabinet/promised', async (req, res) => {
    if (req.body?.confirm !== undefined) return confirm(req, res);
    const contractId = req.user!.contractId;
    const values = typedValues(req.body, ['amount']);
    const form = parseForm(amountForm, req.body);
    if (!form.ok) return renderIndex(res, await promised.page(contractId), 422, { values, fieldErrors: form.errors });
    const checked = await promised.check(contractId, form.data.amount);
    if (!checked.verdict.ok) return renderIndex(res, checked, 409, { alert: true });
    if (checked.error) return renderIndex(res, checked, 422, { values, fieldErrors: { amount: checked.error } });
    res.render('promised/check', {
      title: 'promised.check.title', ...checked, amount: form.data.amount, amountText: amountInput(form.data.amount), key: crypto.randomUUID(),
      t: withParams({ ...pageParams(checked, tz, null), amount: formatMoney(form.data.amount) }),
    });
  });

  async function confirm(req: Request, res: Response) {
    const contractId = req.user!.contractId;
    const values = typedValues(req.body, ['amount']);
    const form = parseForm(confirmForm, req.body);
    if (!form.ok) {
      return renderIndex(res, await promised.page(contractId), 422, { values, fieldErrors: form.errors.amount ? { amount: form.errors.amount } : { amount: 'promised.again' } });
    }
    const r = await promised.take(contractId, form.data.amount, form.data.key);
    if (r.kind === 'taken') return res.redirect(303, `/cabinet/promised/${r.id}`);
    const page = await promised.page(contractId);
    if (r.kind === 'refused') return renderIndex(res, page, 409, { refusal: r.refusal, alert: true });
    renderIndex(res, page, 422, { values, fieldErrors: { amount: r.error } });
  }

  router.get('/cabinet/promised/:id', async (req, res) => {
    if (!/^\d{1,9}$/.test(req.params.id)) throw new NotFound();
    const shown = await promised.taken(req.user!.contractId, Number(req.params.id));
    res.render('promised/done', {
      title: 'promised.title', ...shown,
      t: withParams({ amount: formatMoney(shown.promised.amount_kopecks), due: formatDateTime(shown.promised.due_at, tz), floor: formatMoney(shown.floor), belowFloor: belowFloor(shown.floor), balance: formatMoney(shown.contract.balance_kopecks) }),
    });
  });

  return router;
}
