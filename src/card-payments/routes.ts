// «Оплатить»: the pay page, the return page that follows the payment until it is final (htmx polls; without
// JavaScript a refresh), and the gateway's notification endpoint. (The receipt of a payment is payments/'s.)
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { addressAllowed, allowGatewayForms } from '../gateway/source';
import { amountInput, formatMoney } from '../lib/money';
import { requireSubscriber } from '../web/auth';
import { NotFound } from '../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { t, type MessageKey } from '../web/i18n';
import { renderPageOrFragment } from '../web/htmx';
import { notificationBody, payForm } from './forms';
import type { CardPayments } from './service';

export function payRoutes(ctx: AppContext, pay: CardPayments): Router {
  const router = Router();
  const cfg = ctx.config.payments;
  const limits = { min: formatMoney(cfg.minKopecks), max: formatMoney(cfg.maxKopecks) };
  const tl = (key: MessageKey, params: Record<string, string | number> = {}) => t(key, { ...limits, ...params });
  router.use('/cabinet/pay', allowGatewayForms(cfg.gateway));
  router.use('/cabinet/pay', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  type Extra = { values?: Record<string, string>; fieldErrors?: FieldErrors; gatewayError?: string };
  const renderPay = async (req: Request, res: Response, status: number, extra: Extra = {}) => {
    const page = await pay.page(req.user!.contractId);
    res.status(status).render('card-payments/pay', {
      title: 'pay.title', ...page, limits, t: tl, gatewayError: extra.gatewayError ?? null,
      values: extra.values ?? { amount: amountInput(page.suggested), contact: page.contact },
      fieldErrors: extra.fieldErrors ?? {},
    });
  };

  router.get('/cabinet/pay', async (req, res) => {
    const typed = typeof req.query.amount === 'string' ? req.query.amount.slice(0, 20) : undefined;
    if (typed === undefined) return renderPay(req, res, 200);
    const page = await pay.page(req.user!.contractId);
    return renderPay(req, res, 200, { values: { amount: typed, contact: page.contact } });
  });

  router.post('/cabinet/pay', async (req, res) => {
    const values = typedValues(req.body, ['amount', 'contact']);
    const form = parseForm(payForm, req.body);
    if (!form.ok) return renderPay(req, res, 422, { values, fieldErrors: form.errors });
    const { amount, contact } = form.data;
    if (amount < cfg.minKopecks) return renderPay(req, res, 422, { values, fieldErrors: { amount: 'pay.amount.tooSmall' } });
    if (amount > cfg.maxKopecks) return renderPay(req, res, 422, { values, fieldErrors: { amount: 'pay.amount.tooLarge' } });
    const r = await pay.start({ contractId: req.user!.contractId, amountKopecks: amount, contact });
    if (r.kind === 'redirect') return res.redirect(303, r.url);
    if (r.kind === 'settled') return res.redirect(303, `/cabinet/pay/${r.paymentId}`);
    return renderPay(req, res, 503, { values, gatewayError: r.reason === 'refused' ? 'pay.gatewayRefused' : 'pay.gatewayDown' });
  });

  router.get('/cabinet/pay/:id', async (req, res) => {
    if (!/^\d{1,9}$/.test(req.params.id)) throw new NotFound();
    const payment = await pay.check(req.user!.contractId, Number(req.params.id));
    if (!payment) throw new NotFound();
    const balance = await pay.balance(req.user!.contractId);
    renderPageOrFragment(req, res, { page: 'card-payments/state', fragment: 'card-payments/_state' }, { title: 'pay.state.title', payment, balance });
  });

  return router;
}

/**
 * POST /payments/notifications: the gateway's HTTP notification. Mounted before sessions and csrf (the gateway has
 * neither). Believed only from the configured addresses, and only as a hint: settle() asks the gateway itself.
 * 200 when handled or ignored (an unknown payment); 4xx for a forged or broken one; 503 when the gateway cannot be
 * asked now, so that it sends again later.
 */
export function notificationRoutes(ctx: AppContext, pay: Pick<CardPayments, 'settle'>): Router {
  const router = Router();
  const allowed = ctx.config.payments.notifyFrom;
  router.post(
    '/payments/notifications',
    (req, res, next) => {
      if (!addressAllowed(req.ip, allowed)) {
        ctx.logger.warn({ ip: req.ip }, 'payment notification from an address not in PAYMENT_NOTIFY_FROM: refused');
        res.status(403).json({ error: 'forbidden' });
        return;
      }
      next();
    },
    express.json({ limit: '64kb', type: () => true }),
    async (req, res) => {
      const body = notificationBody.safeParse(req.body);
      if (!body.success) {
        res.status(400).json({ error: 'bad notification' });
        return;
      }
      const { event, object } = body.data;
      if (!event.startsWith('payment.')) {
        res.json({ ok: true, ignored: event }); // refund.succeeded: refunds are written by the staff command itself
        return;
      }
      try {
        const result = await pay.settle(object.id);
        if (result === 'unknown') ctx.logger.warn({ id: object.id, event }, 'payment notification for a payment we do not know: ignored');
        res.json({ ok: true, result });
      } catch (err) {
        ctx.logger.error({ err, id: object.id }, 'payment notification could not be settled now');
        res.status(503).json({ error: 'try again later' });
      }
    },
  );
  const jsonErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: status === 413 ? 'too large' : 'bad notification' });
      return;
    }
    next(err);
  };
  router.use('/payments/notifications', jsonErrors);
  return router;
}
