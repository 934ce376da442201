// «Тарифы» (admin, content): the list with the contracts on each, new and edit, archive, «Изменение цены».
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { addMonths, formatDay } from '../../lib/dates';
import { amountInput, formatMoney } from '../../lib/money';
import { NotFound } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { t, type MessageKey } from '../../web/i18n';
import { actorOf, requireStaff } from '../session';
import { newTariffForm, priceForm, priceQuery, tariffForm } from './forms';
import { createTariffsService, PRICE_NOTICE_DAYS, type TariffsService } from './service';

const FIELDS = ['name', 'code', 'segment', 'internet_mbps', 'tv_package', 'tv_channels', 'position', 'fee'];
const DONE = ['created', 'saved', 'archived', 'unarchived'] as const;

const idParam = (v: string | string[] | undefined): number => {
  const id = Number(v);
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
  return id;
};
const townsOf = (body: unknown): number[] => {
  const v = (body as Record<string, unknown> | undefined)?.towns;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(Number).filter(Number.isSafeInteger);
};

async function tariffOr404(tariffs: TariffsService, id: number) {
  const tariff = await tariffs.tariff(id);
  if (!tariff) throw new NotFound();
  return tariff;
}

export function tariffRoutes(ctx: AppContext): Router {
  const router = Router();
  const guard = requireStaff(ctx, 'tariffs');
  const tariffs = createTariffsService(ctx);

  router.get('/admin/tariffs', guard, async (req, res) => {
    const done = DONE.find((d) => d === req.query.done);
    res.render('admin/tariffs/index', { title: 'adm.tariffs.title', rows: await tariffs.list(), done: done ? `adm.tariffs.done.${done}` : null });
  });

  const renderForm = async (res: Response, status: number, o: { id: number | null; name?: string; values: Record<string, string>; towns: number[]; fee?: number; fieldErrors?: FieldErrors }) =>
    res.status(status).render('admin/tariffs/form', {
      title: o.id ? 'adm.tariffs.editTitle' : 'adm.tariffs.new', tariffId: o.id, name: o.name ?? '',
      values: o.values, selectedTowns: o.towns, towns: await tariffs.towns(), feeNow: o.fee ?? null, fieldErrors: o.fieldErrors ?? {},
    });

  router.get('/admin/tariffs/new', guard, (_req, res) =>
    renderForm(res, 200, { id: null, values: { name: '', code: '', segment: 'flat', internet_mbps: '', tv_package: '', tv_channels: '', position: '0', fee: '' }, towns: [] }));

  router.post('/admin/tariffs/new', guard, async (req, res) => {
    const values = typedValues(req.body, FIELDS);
    const form = parseForm(newTariffForm, req.body);
    const r = form.ok ? await tariffs.create(actorOf(req), form.data) : form;
    if (!r.ok) return renderForm(res, 422, { id: null, values, towns: townsOf(req.body), fieldErrors: r.errors });
    res.redirect(303, '/admin/tariffs?done=created');
  });

  router.get('/admin/tariffs/:id/edit', guard, async (req, res) => {
    const tariff = await tariffOr404(tariffs, idParam(req.params.id));
    const values = Object.fromEntries(FIELDS.map((f) => [f, String((tariff as Record<string, unknown>)[f] ?? '')]));
    await renderForm(res, 200, { id: tariff.id, name: tariff.name, values, towns: tariff.towns, fee: tariff.monthly_fee_kopecks });
  });

  router.post('/admin/tariffs/:id/edit', guard, async (req, res) => {
    const tariff = await tariffOr404(tariffs, idParam(req.params.id));
    const form = parseForm(tariffForm, req.body);
    const r = form.ok ? await tariffs.update(actorOf(req), tariff.id, form.data) : form;
    if (!r) throw new NotFound();
    if (!r.ok) return renderForm(res, 422, { id: tariff.id, name: tariff.name, values: typedValues(req.body, FIELDS), towns: townsOf(req.body), fee: tariff.monthly_fee_kopecks, fieldErrors: r.errors });
    res.redirect(303, '/admin/tariffs?done=saved');
  });

  router.post('/admin/tariffs/:id/archive', guard, async (req, res) => {
    const archived = req.body?.archived !== '0';
    if (!(await tariffs.setArchived(actorOf(req), idParam(req.params.id), archived))) throw new NotFound();
    res.redirect(303, `/admin/tariffs?done=${archived ? 'archived' : 'unarchived'}`);
  });

  // «Изменение цены»: step one (GET with from and fee) lists the contracts and prefills the notice; the POST confirms.
  async function renderPrice(req: Request, res: Response, id: number, status: number, o: { values: Record<string, string>; fieldErrors?: FieldErrors; problem?: MessageKey | null; ready?: { from: string; fee: number } | null }) {
    const tariff = await tariffOr404(tariffs, id);
    const ready = o.ready ?? null;
    const firstDay = tariffs.firstPriceDay();
    const values = { ...o.values };
    if (ready && !values.notice) values.notice = t('adm.tariffs.price.noticeText', { date: formatDay(ready.from), tariff: tariff.name, fee: formatMoney(ready.fee) });
    res.status(status).render('admin/tariffs/price', {
      title: 'adm.tariffs.price.pageTitle', tariff, values, fieldErrors: o.fieldErrors ?? {}, problem: o.problem ?? null,
      errorParams: { date: formatDay(firstDay) },
      ready, affected: ready ? await tariffs.affected(id) : null, tooSoon: ready ? tariffs.noticeTooLate(ready.from) : false, noticeDays: PRICE_NOTICE_DAYS,
      changes: await tariffs.priceChanges(id), done: req.query.done === '1', cancelled: req.query.cancelled === '1',
    });
  }

  router.get('/admin/tariffs/:id/price', guard, async (req, res) => {
    const id = idParam(req.params.id);
    const q = req.query as Record<string, unknown>;
    if (q.from === undefined && q.fee === undefined) {
      const today = tariffs.today();
      return renderPrice(req, res, id, 200, { values: { from: addMonths(`${today.slice(0, 8)}01`, 1), fee: '', notice: '' } });
    }
    const values = typedValues(q, ['from', 'fee']);
    const form = parseForm(priceQuery, q);
    if (!form.ok) return renderPrice(req, res, id, 422, { values, fieldErrors: form.errors });
    if (form.data.from < tariffs.firstPriceDay()) return renderPrice(req, res, id, 422, { values, fieldErrors: { from: 'adm.tariffs.price.error.past' } });
    return renderPrice(req, res, id, 200, { values: { from: form.data.from, fee: amountInput(form.data.fee), notice: '' }, ready: form.data });
  });

  router.post('/admin/tariffs/:id/price', guard, async (req, res) => {
    const id = idParam(req.params.id);
    const values = typedValues(req.body, ['from', 'fee', 'notice']);
    const form = parseForm(priceForm, req.body);
    const step1 = parseForm(priceQuery, req.body);
    const ready = step1.ok ? step1.data : null;
    if (!form.ok) return renderPrice(req, res, id, 422, { values, fieldErrors: form.errors, ready });
    const r = await tariffs.schedulePrice(actorOf(req), id, { fee: form.data.fee, from: form.data.from, notice: form.data.notice });
    if (r.ok) return res.redirect(303, `/admin/tariffs/${id}/price?done=1`);
    if (r.problem === 'missing') throw new NotFound();
    if (r.problem === 'past') return renderPrice(req, res, id, 422, { values, fieldErrors: { from: 'adm.tariffs.price.error.past' } });
    if (r.problem === 'same') return renderPrice(req, res, id, 422, { values, fieldErrors: { fee: 'adm.tariffs.price.error.same' }, ready });
    return renderPrice(req, res, id, 409, { values, problem: 'adm.tariffs.price.error.pending' });
  });

  router.post('/admin/tariffs/:id/price/:changeId/cancel', guard, async (req, res) => {
    const id = idParam(req.params.id);
    const r = await tariffs.cancelPrice(actorOf(req), id, idParam(req.params.changeId));
    if (r === 'missing') throw new NotFound();
    if (r === 'applied') return renderPrice(req, res, id, 409, { values: { from: '', fee: '', notice: '' }, problem: 'adm.tariffs.price.error.applied' });
    res.redirect(303, `/admin/tariffs/${id}/price?cancelled=1`);
  });

  return router;
}
