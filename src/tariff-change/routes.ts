// «Сменить тариф»: the page with the offers, a "check your answers" page, then confirm (POST with a one-time key)
// and the change's own page (applied, scheduled with a cancel button, or cancelled). Plain forms and 303s: the
// same with or without JavaScript.
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { addDays } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { requireSubscriber } from '../web/auth';
import { NotFound } from '../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { t, type MessageKey } from '../web/i18n';
import { choiceForm, confirmForm, isChangeId } from './forms';
import type { Problem, TariffChangeService } from './service';

type Params = Record<string, string | number>;
const MONEY_PARAMS = ['need', 'have', 'short'];

/** t() with the problem's figures filled in, so that the shared error summary and the field show them too. */
function withParams(problem: Problem | null) {
  const fixed: Params = {};
  for (const [k, v] of Object.entries(problem?.params ?? {})) fixed[k] = MONEY_PARAMS.includes(k) ? formatMoney(Number(v)) : v;
  return (key: MessageKey, params: Params = {}) => t(key, { ...fixed, ...params });
}

export function tariffChangeRoutes(service: TariffChangeService): Router {
  const router = Router();
  router.use('/cabinet/tariff', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // private data: never from a shared or back-forward cache
    next();
  });

  type Extra = { values?: Record<string, string>; fieldErrors?: FieldErrors; problem?: Problem | null };
  const renderIndex = async (req: Request, res: Response, status: number, extra: Extra = {}) => {
    const page = await service.page(req.user!.contractId);
    const problem = extra.problem ?? null;
    const fieldErrors = extra.fieldErrors ?? (problem ? { [problem.field]: problem.key } : {});
    res.status(status).render('tariff-change/index', {
      title: 'tariffChange.title', ...page, values: extra.values ?? {}, fieldErrors, t: withParams(problem),
    });
  };

  router.get('/cabinet/tariff', (req, res) => renderIndex(req, res, 200, { values: typedValues(req.query, ['tariff', 'when']) }));

  router.post('/cabinet/tariff', async (req, res) => {
    const values = typedValues(req.body, ['tariff', 'when']);
    const form = parseForm(choiceForm, req.body);
    if (!form.ok) return renderIndex(req, res, 422, { values, fieldErrors: form.errors });
    const choice = { tariffId: form.data.tariff, when: form.data.when };
    const checked = await service.check(req.user!.contractId, choice);
    if (!checked.ok) return renderIndex(req, res, 422, { values, problem: checked.problem });
    const page = await service.page(req.user!.contractId);
    res.render('tariff-change/check', { title: 'tariffChange.check.title', ...page, ...checked, lastOldDay: addDays(checked.start, -1), key: crypto.randomUUID() });
  });

  router.post('/cabinet/tariff/confirm', async (req, res) => {
    const values = typedValues(req.body, ['tariff', 'when']);
    const form = parseForm(confirmForm, req.body);
    if (!form.ok) {
      const { key: _key, ...errors } = form.errors;
      return renderIndex(req, res, 422, { values, fieldErrors: Object.keys(errors).length ? errors : { tariff: 'tariffChange.again' } });
    }
    const choice = { tariffId: form.data.tariff, when: form.data.when };
    const r = await service.confirm(req.user!.contractId, choice, form.data.key, req.ip ?? null);
    if (!r.ok) return renderIndex(req, res, 422, { values, problem: r.problem });
    res.redirect(303, `/cabinet/tariff/changes/${r.id}`);
  });

  router.get('/cabinet/tariff/changes/:id', async (req, res) => {
    if (!isChangeId(req.params.id)) throw new NotFound();
    const shown = await service.show(req.user!.contractId, Number(req.params.id));
    res.render('tariff-change/change', { title: 'tariffChange.title', ...shown });
  });

  router.post('/cabinet/tariff/changes/:id/cancel', async (req, res) => {
    if (!isChangeId(req.params.id)) throw new NotFound();
    await service.cancel(req.user!.contractId, Number(req.params.id), req.ip ?? null);
    res.redirect(303, `/cabinet/tariff/changes/${req.params.id}`);
  });

  return router;
}
