// «Новый договор», «Изменить данные», «Сменить тариф», «Сбросить пароль» and the one-time print page «Данные для
// входа в личный кабинет». Plain forms and 303s; errors re-render the form with 422. Mounted before the contract
// pages' router (GET /admin/contracts/:id), so /admin/contracts/new is this router's.
import crypto from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { auditStaff } from '../../audit/service';
import type { AppContext } from '../../context';
import { addDays } from '../../lib/dates';
import { formatMoney } from '../../lib/money';
import type { Services } from '../../services';
import type { Problem as ChangeProblem } from '../../tariff-change/service';
import { Forbidden } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import type { MessageKey } from '../../web/i18n';
import { can } from '../roles';
import { actorOf, requireStaff } from '../session';
import { keepForPrint, takeForPrint } from './credentials';
import { isContractId, parseEdit, parseNewContract, resetForm, tariffChoiceForm, tariffConfirmForm } from './forms';
import { createContractFormsService } from './service';

const NEW_FIELDS = ['name', 'town', 'address', 'phones', 'email', 'tariff', 'start'];
const PERSON_FIELDS = ['name', 'town', 'address'];
const MONEY_PARAMS = ['need', 'have', 'short'];

/** The tariff-change service's refusal in the console's words (adm.cf.tc.*), its sums formatted. */
function staffProblem(p: ChangeProblem): { errors: FieldErrors; params: Record<string, string> } {
  const key = p.key.replace(/^tariffChange\./, 'adm.cf.tc.') as MessageKey;
  const params = Object.fromEntries(Object.entries(p.params ?? {}).map(([k, v]) => [k, MONEY_PARAMS.includes(k) ? formatMoney(Number(v)) : String(v)]));
  return { errors: { [p.field === 'status' ? 'tariff' : p.field]: key }, params };
}

export function contractFormsRoutes(ctx: AppContext, services: Services): Router {
  const service = createContractFormsService(ctx, { passwords: services.auth.passwords, outbox: services.outbox, tariffChange: services.tariffChange });
  const router = Router();
  const secret = ctx.config.sessionSecret;
  const now = () => ctx.clock.now().getTime();
  /** A numeric :id, or this router steps aside (another router's page, or 404). */
  const withId = (handler: (req: Request, res: Response, id: number) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) =>
    isContractId(String(req.params.id)) ? handler(req, res, Number(req.params.id)) : next();

  // --- «Новый договор»
  const renderNew = async (res: Response, status: number, extra: { values?: Record<string, string>; errors?: FieldErrors; params?: Record<string, string> } = {}) => {
    const choices = await service.formChoices();
    res.status(status).render('admin/contract-forms/new', {
      title: 'adm.cf.new.title', ...choices, values: extra.values ?? { start: choices.today }, fieldErrors: extra.errors ?? {}, errorParams: extra.params ?? {},
    });
  };

  router.get('/admin/contracts/new', requireStaff(ctx, 'contractsEdit'), (_req, res) => renderNew(res, 200));

  router.post('/admin/contracts/new', requireStaff(ctx, 'contractsEdit'), async (req, res) => {
    const values = typedValues(req.body, NEW_FIELDS);
    const form = parseNewContract(req.body);
    if (!form.ok) return renderNew(res, 422, { values, errors: form.errors, params: form.params });
    const r = await service.create(actorOf(req), form.data);
    if (!r.ok) return renderNew(res, 422, { values, errors: r.errors, params: r.params });
    keepForPrint(req, secret, r.id, r.password, now());
    res.redirect(303, `/admin/contracts/${r.id}/credentials?created=1`);
  });

  // --- «Данные для входа в личный кабинет»: the password once
  router.get('/admin/contracts/:id/credentials', requireStaff(ctx, 'contractsContacts'), withId(async (req, res, id) => {
    const page = await service.credentials(id);
    const password = takeForPrint(req, secret, id, now());
    const supportPhones = (await services.site.frame()).footerPhones;
    res.render('admin/contract-forms/credentials', { title: 'adm.cf.cred.title', ...page, supportPhones, password, created: req.query.created === '1' });
  }));

  // --- «Изменить данные»: the whole form for contractsEdit, phones and e-mail only for contractsContacts
  const renderEdit = async (req: Request, res: Response, id: number, status: number, extra: { values?: Record<string, string>; errors?: FieldErrors; params?: Record<string, string> } = {}) => {
    const contract = await service.contract(id);
    const full = can(req.staff!.role, 'contractsEdit');
    const values = extra.values ?? {
      name: contract.name, town: String(contract.town_id), address: contract.address, email: contract.email ?? '', phones: contract.phones.join(', '),
    };
    const towns = full ? (await service.formChoices()).towns : [];
    res.status(status).render('admin/contract-forms/edit', {
      title: 'adm.cf.edit.title', contract, full, towns, values, fieldErrors: extra.errors ?? {}, errorParams: extra.params ?? {}, done: req.query.done ?? null,
    });
  };

  router.get('/admin/contracts/:id/edit', requireStaff(ctx, 'contractsContacts'), withId((req, res, id) => renderEdit(req, res, id, 200)));

  router.post('/admin/contracts/:id/edit', requireStaff(ctx, 'contractsContacts'), withId(async (req, res, id) => {
    const full = can(req.staff!.role, 'contractsEdit');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!full && PERSON_FIELDS.some((f) => f in body)) {
      await auditStaff(ctx, actorOf(req), { action: 'staff_forbidden', contractId: id, detail: { method: 'POST', path: req.originalUrl.split('?')[0], area: 'contractsEdit' } });
      throw new Forbidden('admin.forbidden');
    }
    const values = typedValues(body, full ? [...PERSON_FIELDS, 'email', 'phones'] : ['email', 'phones']);
    const form = parseEdit(body, full);
    if (!form.ok) return renderEdit(req, res, id, 422, { values, errors: form.errors, params: form.params });
    const r = await service.update(actorOf(req), id, form.data);
    if (!r.ok) return renderEdit(req, res, id, 422, { values, errors: r.errors, params: r.params });
    res.redirect(303, `/admin/contracts/${id}/edit?done=${r.changed ? 'saved' : 'nothing'}`);
  }));

  // --- «Сменить тариф»: choose, check, confirm (the tariff-change service's rules)
  const renderTariff = async (req: Request, res: Response, id: number, status: number, extra: { values?: Record<string, string>; errors?: FieldErrors; params?: Record<string, string> } = {}) => {
    const page = await service.tariffPage(id);
    const doneId = typeof req.query.done === 'string' && /^\d{1,9}$/.test(req.query.done) ? Number(req.query.done) : null;
    const done = doneId ? await service.tariffChangeShown(id, doneId) : null;
    const refusal = page.refusal ? staffProblem(page.refusal) : null;
    res.status(status).render('admin/contract-forms/tariff', {
      title: 'adm.cf.tc.title', ...page, refusal, done, values: extra.values ?? {}, fieldErrors: extra.errors ?? {}, errorParams: extra.params ?? {},
    });
  };

  router.get('/admin/contracts/:id/tariff', requireStaff(ctx, 'contractsEdit'), withId((req, res, id) => renderTariff(req, res, id, 200)));

  router.post('/admin/contracts/:id/tariff', requireStaff(ctx, 'contractsEdit'), withId(async (req, res, id) => {
    const values = typedValues(req.body, ['tariff', 'when']);
    const form = parseForm(tariffChoiceForm, req.body);
    if (!form.ok) return renderTariff(req, res, id, 422, { values, errors: form.errors });
    const checked = await service.tariffCheck(id, { tariffId: form.data.tariff, when: form.data.when });
    if (!checked.ok) return renderTariff(req, res, id, 422, { values, ...staffProblem(checked.problem) });
    const page = await service.tariffPage(id);
    res.render('admin/contract-forms/tariff-check', { title: 'adm.cf.tc.check.title', ...page, ...checked, lastOldDay: addDays(checked.start, -1), key: crypto.randomUUID() });
  }));

  router.post('/admin/contracts/:id/tariff/confirm', requireStaff(ctx, 'contractsEdit'), withId(async (req, res, id) => {
    const values = typedValues(req.body, ['tariff', 'when']);
    const form = parseForm(tariffConfirmForm, req.body);
    if (!form.ok) return renderTariff(req, res, id, 422, { values, errors: { tariff: 'adm.cf.tc.again' } });
    const r = await service.tariffConfirm(actorOf(req), id, { tariffId: form.data.tariff, when: form.data.when }, form.data.key);
    if (!r.ok) return renderTariff(req, res, id, 422, { values, ...staffProblem(r.problem) });
    res.redirect(303, `/admin/contracts/${id}/tariff?done=${r.id}`);
  }));

  // --- «Сбросить пароль»: a new print page, or an SMS to a bound phone
  const renderPassword = async (req: Request, res: Response, id: number, status: number, extra: { errors?: FieldErrors; sent?: string | null } = {}) => {
    const contract = await service.contract(id);
    const phones = await service.phones(id);
    res.status(status).render('admin/contract-forms/password', {
      title: 'adm.cf.pw.title', contract, phones, fieldErrors: extra.errors ?? {}, sent: extra.sent ?? null, values: typedValues(req.body, ['phone']),
    });
  };

  router.get('/admin/contracts/:id/password', requireStaff(ctx, 'contractsContacts'), withId(async (req, res, id) => {
    const sent = typeof req.query.sent === 'string' && /^\d{1,2}$/.test(req.query.sent) ? (await service.phones(id))[Number(req.query.sent)] : undefined;
    await renderPassword(req, res, id, 200, { sent: sent ? sent.e164 : null });
  }));

  router.post('/admin/contracts/:id/password', requireStaff(ctx, 'contractsContacts'), withId(async (req, res, id) => {
    const form = parseForm(resetForm, req.body);
    if (!form.ok) return renderPassword(req, res, id, 422, { errors: form.errors.via ? { phone: 'adm.cf.pw.phone.required' } : form.errors });
    const via = form.data.via === 'print' ? { kind: 'print' as const } : { kind: 'sms' as const, phoneIndex: form.data.phone };
    const r = await service.resetPassword(actorOf(req), id, via);
    if (!r.ok) return renderPassword(req, res, id, 422, { errors: r.errors });
    if (r.password) {
      keepForPrint(req, secret, id, r.password, now());
      return res.redirect(303, `/admin/contracts/${id}/credentials`);
    }
    res.redirect(303, `/admin/contracts/${id}/password?sent=${via.kind === 'sms' ? via.phoneIndex : ''}`);
  }));

  return router;
}
