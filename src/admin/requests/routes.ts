// «Заявки на подключение» (area 'requests'): the list by state, a request's page with its history, and its moves.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { NotFound } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { t, type MessageKey } from '../../web/i18n';
import { actorOf, requireStaff } from '../session';
import { callForm, listQuery, noteForm, refuseForm, signForm } from './forms';
import { REQUEST_STATUSES } from './queries';
import { createRequestsService, type Move, type MoveResult } from './service';

const LIST_LIMIT = 200;
const DONE = new Set(['called', 'signed', 'refused', 'note']);

export const idParam = (req: Request): number => {
  const id = String(req.params.id ?? '');
  if (!/^\d{1,12}$/.test(id)) throw new NotFound('adm.q.notFound');
  return Number(id);
};

export function requestsRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();
  const requests = createRequestsService(ctx);
  const guard = requireStaff(ctx, 'requests');

  router.get('/admin/requests', guard, async (req, res) => {
    const f = listQuery.parse(req.query);
    const rows = await requests.list({ status: f.status ?? null, oldestFirst: f.order === 'oldest', limit: LIST_LIMIT });
    res.render('admin/requests/index', { title: 'adm.req.title', rows, status: f.status ?? null, order: f.order ?? 'newest', statuses: REQUEST_STATUSES, limit: LIST_LIMIT });
  });

  /** The request's page; after a POST with the result (?done=), or again with a form's errors (422) or a refusal (409). */
  async function renderShow(req: Request, res: Response, id: number, status = 200, extra: { fieldErrors?: FieldErrors; formError?: { key: MessageKey; params: Record<string, string> }; form?: string } = {}) {
    const found = await requests.show(id);
    if (!found) throw new NotFound('adm.q.notFound');
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : null;
    res.status(status).render('admin/requests/show', {
      title: 'adm.req.title', ...found, done, formError: extra.formError ?? null, fieldErrors: extra.fieldErrors ?? {},
      form: extra.form ?? null, values: extra.form ? typedValues(req.body, ['note', 'callNote', 'contract', 'reason']) : {},
    });
  }

  router.get('/admin/requests/:id', guard, async (req, res) => renderShow(req, res, idParam(req)));

  async function answerMove(req: Request, res: Response, id: number, form: string, r: MoveResult, to: Move['to']) {
    if (r.kind === 'missing') throw new NotFound('adm.q.notFound');
    if (r.kind === 'unknownContract') return renderShow(req, res, id, 422, { fieldErrors: { contract: 'adm.req.contract.unknown' }, form });
    if (r.kind === 'impossible') {
      return renderShow(req, res, id, 409, { formError: { key: 'adm.req.impossible', params: { status: t(`adm.req.status.${r.status}`), to: t(`adm.req.status.${to}`) } } });
    }
    res.redirect(303, `/admin/requests/${id}?done=${to}`);
  }

  router.post('/admin/requests/:id/call', guard, async (req, res) => {
    const id = idParam(req);
    const form = parseForm(callForm, req.body);
    if (!form.ok) return renderShow(req, res, id, 422, { fieldErrors: form.errors, form: 'call' });
    await answerMove(req, res, id, 'call', await requests.move(actorOf(req), id, { to: 'called', note: form.data.callNote }), 'called');
  });

  router.post('/admin/requests/:id/sign', guard, async (req, res) => {
    const id = idParam(req);
    const form = parseForm(signForm, req.body);
    if (!form.ok) return renderShow(req, res, id, 422, { fieldErrors: form.errors, form: 'sign' });
    await answerMove(req, res, id, 'sign', await requests.move(actorOf(req), id, { to: 'signed', contractNumber: form.data.contract }), 'signed');
  });

  router.post('/admin/requests/:id/refuse', guard, async (req, res) => {
    const id = idParam(req);
    const form = parseForm(refuseForm, req.body);
    if (!form.ok) return renderShow(req, res, id, 422, { fieldErrors: form.errors, form: 'refuse' });
    await answerMove(req, res, id, 'refuse', await requests.move(actorOf(req), id, { to: 'refused', reason: form.data.reason }), 'refused');
  });

  router.post('/admin/requests/:id/note', guard, async (req, res) => {
    const id = idParam(req);
    const form = parseForm(noteForm, req.body);
    if (!form.ok) return renderShow(req, res, id, 422, { fieldErrors: form.errors, form: 'note' });
    if ((await requests.note(actorOf(req), id, form.data.note)) === 'missing') throw new NotFound('adm.q.notFound');
    res.redirect(303, `/admin/requests/${id}?done=note`);
  });

  return router;
}
