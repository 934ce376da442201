// The cash desk: «Принять платёж» (find the contract, then the payment form; htmx swaps the contract's details in
// as the number is typed), «Корректировка» (find, the form, a check page, then confirm), the result pages, and
// «Отчёт за смену». Every POST answers 303 to a page that shows the result; form errors re-render with 422.
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { formatMoney } from '../../lib/money';
import type { Services } from '../../services';
import { NotFound } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { renderPageOrFragment, wantsFragment } from '../../web/htmx';
import { actorOf, requireStaff } from '../session';
import { CORRECTION_MAX_KOPECKS, correctionForm, correctionKey, findQuery, paymentForm, shiftQuery } from './forms';
import { createCashDeskService, type CashDeskService } from './service';
import type { DeskContract } from './queries';

const PAYMENT_VIEWS = { page: 'admin/cash-desk/index', fragment: 'admin/cash-desk/_payment' };
const CORRECTION_VIEWS = { page: 'admin/cash-desk/correction', fragment: 'admin/cash-desk/_correction' };
const PAYMENT_FIELDS = ['contract', 'amount', 'method', 'receipt'];
const CORRECTION_FIELDS = ['contract', 'amount', 'reason'];

const newKey = () => crypto.randomUUID();
const idOf = (raw: string) => {
  if (!/^\d{1,9}$/.test(raw)) throw new NotFound();
  return Number(raw);
};

type Found = { contract: DeskContract | null; error: FieldErrors };

/** The contract a ?contract= names: nothing asked, found, or the message for the number field. */
async function lookUp(svc: CashDeskService, raw: unknown): Promise<Found> {
  if (typeof raw !== 'string' || raw.trim() === '') return { contract: null, error: {} };
  const form = parseForm(findQuery, { contract: raw });
  if (!form.ok) return { contract: null, error: form.errors };
  const contract = await svc.findContract(form.data.contract);
  return contract ? { contract, error: {} } : { contract: null, error: { contract: 'adm.cash.contract.notFound' } };
}

export function cashDeskRoutes(ctx: AppContext, _services: Services): Router {
  const svc = createCashDeskService(ctx);
  const router = Router();
  const guard = requireStaff(ctx, 'cashDesk');
  const errorParams = { max: formatMoney(svc.maxKopecks) };
  const correctionParams = { max: formatMoney(CORRECTION_MAX_KOPECKS) };

  /** A find page (payment or correction): the whole page, or for htmx only the region under the number field. */
  async function findPage(req: Request, res: Response, views: typeof PAYMENT_VIEWS, title: 'adm.cash.title' | 'adm.corr.title', params: Record<string, string>) {
    const found = await lookUp(svc, req.query.contract);
    const fragment = wantsFragment(req);
    const failed = Object.keys(found.error).length > 0;
    const contractTyped = typeof req.query.contract === 'string' ? req.query.contract.slice(0, 40) : '';
    renderPageOrFragment(req, res, views, {
      title, contract: found.contract, key: newKey(), values: { contract: contractTyped, method: 'cash' },
      fieldErrors: fragment ? {} : found.error, lookupError: fragment ? (found.error.contract ?? null) : null, errorParams: params,
    }, failed && !fragment ? 422 : 200);
  }

  router.get('/admin/cash-desk', guard, (req, res) => findPage(req, res, PAYMENT_VIEWS, 'adm.cash.title', errorParams));

  router.post('/admin/cash-desk', guard, async (req, res) => {
    const values = typedValues(req.body, PAYMENT_FIELDS);
    const form = parseForm(paymentForm, req.body);
    const again = async (fieldErrors: FieldErrors) => {
      const found = await lookUp(svc, values.contract);
      const key = typeof req.body?.key === 'string' && /^[A-Za-z0-9-]{16,64}$/.test(req.body.key) ? req.body.key : newKey();
      const errors = { ...found.error, ...fieldErrors };
      if (errors.key) {
        delete errors.key;
        errors.payment = 'adm.cash.stale';
      }
      res.status(422).render(PAYMENT_VIEWS.page, { title: 'adm.cash.title', contract: found.contract, key, values, fieldErrors: errors, lookupError: null, errorParams });
    };
    if (!form.ok) return again(form.errors);
    const r = await svc.takePayment(actorOf(req), form.data);
    if (r.kind === 'invalid') return again({ [r.field]: r.error });
    res.redirect(303, `/admin/cash-desk/payments/${r.paymentId}`);
  });

  router.get('/admin/cash-desk/payments/:id', guard, async (req, res) => {
    const payment = await svc.payment(idOf(String(req.params.id)));
    res.render('admin/cash-desk/paid', { title: 'adm.cash.done.title', payment });
  });

  router.get('/admin/cash-desk/correction', guard, (req, res) => findPage(req, res, CORRECTION_VIEWS, 'adm.corr.title', correctionParams));

  router.post('/admin/cash-desk/correction', guard, async (req, res) => {
    const values = typedValues(req.body, CORRECTION_FIELDS);
    const form = parseForm(correctionForm, req.body);
    const again = async (fieldErrors: FieldErrors) => {
      const found = await lookUp(svc, values.contract);
      res.status(422).render(CORRECTION_VIEWS.page, {
        title: 'adm.corr.title', contract: found.contract, key: newKey(), values, fieldErrors: { ...found.error, ...fieldErrors }, lookupError: null, errorParams: correctionParams,
      });
    };
    if (!form.ok) return again(form.errors);
    const found = await svc.findContract(form.data.contract);
    if (!found) return again({ contract: 'adm.cash.contract.notFound' });
    if (form.data.confirm !== '1') {
      return res.render('admin/cash-desk/correction-check', {
        title: 'adm.corr.check.title', contract: found, amount: form.data.amount, reason: form.data.reason, amountText: values.amount.trim(), key: newKey(),
      });
    }
    const key = parseForm(correctionKey, req.body);
    if (!key.ok) return again({ amount: 'adm.cash.stale' });
    const r = await svc.correct(actorOf(req), { ...form.data, key: key.data.key });
    if (r.kind === 'invalid') return again({ [r.field]: r.error });
    res.redirect(303, `/admin/cash-desk/corrections/${r.correctionId}`);
  });

  router.get('/admin/cash-desk/corrections/:id', guard, async (req, res) => {
    const correction = await svc.correction(idOf(String(req.params.id)));
    res.render('admin/cash-desk/corrected', { title: 'adm.corr.done.title', correction });
  });

  router.get('/admin/cash-desk/shift', guard, async (req, res) => {
    const values = typedValues(req.query, ['day', 'staff']);
    const query = parseForm(shiftQuery, req.query);
    const viewer = req.staff!;
    if (!query.ok) {
      const staffList = (await svc.shift(viewer, { day: null, staff: null })).staffList;
      return res.status(422).render('admin/cash-desk/shift', { title: 'adm.shift.title', report: null, staffList, values, fieldErrors: query.errors });
    }
    const report = await svc.shift(viewer, query.data);
    if (report.kind === 'invalid') {
      return res.status(422).render('admin/cash-desk/shift', { title: 'adm.shift.title', report: null, staffList: report.staffList, values, fieldErrors: { staff: 'adm.shift.staff.invalid' } });
    }
    res.render('admin/cash-desk/shift', { title: 'adm.shift.title', report, staffList: report.staffList, values: { day: report.day, staff: String(report.member.id) }, fieldErrors: {} });
  });

  return router;
}
