// «Автоматический платёж»: the terms, the rule form (turn on with a first payment that saves the card, or change in
// one step), turn off in one step. Plain forms and 303s: the same with or without JavaScript.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { amountInput, formatMoney, wholeRublesInput } from '../lib/money';
import { allowGatewayForms } from '../gateway/source';
import { requireSubscriber } from '../web/auth';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { t, type MessageKey } from '../web/i18n';
import { autopayForm } from './forms';
import type { AutopayService } from './service';

const FIELDS = ['rule', 'amount', 'threshold', 'day', 'accept', 'contact'];

export function autopayRoutes(ctx: AppContext, autopay: AutopayService): Router {
  const router = Router();
  const cfg = ctx.config.payments;
  const limits = { min: formatMoney(cfg.minKopecks), max: formatMoney(cfg.maxKopecks) };
  const tl = (key: MessageKey, params: Record<string, string | number> = {}) => t(key, { ...limits, ...params });
  router.use('/cabinet/autopay', allowGatewayForms(cfg.gateway));
  router.use('/cabinet/autopay', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  type Extra = { values?: Record<string, string>; fieldErrors?: FieldErrors; gatewayError?: MessageKey; done?: string };
  const render = async (req: Request, res: Response, status: number, extra: Extra = {}) => {
    const page = await autopay.page(req.user!.contractId);
    const a = page.autopay;
    const values = extra.values ?? {
      rule: a?.rule ?? 'threshold',
      amount: a?.amount_kopecks ? amountInput(a.amount_kopecks) : '1000,00',
      threshold: a?.threshold_kopecks !== null && a?.threshold_kopecks !== undefined ? wholeRublesInput(a.threshold_kopecks) : '100',
      day: a?.day ? String(a.day) : '25',
      accept: '',
      contact: page.contact,
    };
    res.status(status).render('autopay/index', {
      title: 'autopay.title', ...page, terms: autopay.terms, values, fieldErrors: extra.fieldErrors ?? {}, gatewayError: extra.gatewayError ?? null,
      done: extra.done ?? (typeof req.query.done === 'string' && ['changed', 'off'].includes(req.query.done) ? req.query.done : null), t: tl,
    });
  };

  router.get('/cabinet/autopay', (req, res) => render(req, res, 200));

  router.post('/cabinet/autopay', async (req, res) => {
    const values = typedValues(req.body, FIELDS);
    const form = parseForm(autopayForm, req.body);
    if (!form.ok) return render(req, res, 422, { values, fieldErrors: form.errors });
    const r = await autopay.save(req.user!.contractId, form.data);
    if (r.kind === 'changed') return res.redirect(303, '/cabinet/autopay?done=changed');
    if (r.kind === 'invalid') return render(req, res, 422, { values, fieldErrors: { [r.field]: r.message } });
    if (r.kind === 'redirect') return res.redirect(303, r.url);
    if (r.kind === 'settled') return res.redirect(303, `/cabinet/pay/${r.paymentId}`);
    return render(req, res, 503, { values, gatewayError: r.reason === 'refused' ? 'pay.gatewayRefused' : 'pay.gatewayDown' });
  });

  router.post('/cabinet/autopay/off', async (req, res) => {
    await autopay.turnOff(req.user!.contractId);
    res.redirect(303, '/cabinet/autopay?done=off');
  });
  return router;
}
