// «Обратная связь» (area 'feedback'): the messages by state, one message with its answer form or its answer.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { NotFound } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { actorOf, requireStaff } from '../session';
import { idParam } from '../requests/routes';
import { FEEDBACK_STATUSES } from './queries';
import { createFeedbackService } from './service';

const LIST_LIMIT = 200;
const listQuery = z.object({
  status: z.enum(FEEDBACK_STATUSES).optional().catch(undefined),
  order: z.enum(['newest', 'oldest']).optional().catch(undefined),
});
const answerForm = z.object({ answer: z.string({ error: 'adm.fb.answer.required' }).trim().min(1, 'adm.fb.answer.required').max(5000, 'adm.fb.answer.long') });

export function feedbackRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();
  const feedback = createFeedbackService(ctx);
  const guard = requireStaff(ctx, 'feedback');

  router.get('/admin/feedback', guard, async (req, res) => {
    const f = listQuery.parse(req.query);
    const rows = await feedback.list({ status: f.status ?? null, oldestFirst: f.order === 'oldest', limit: LIST_LIMIT });
    res.render('admin/feedback/index', { title: 'adm.fb.title', rows, status: f.status ?? null, order: f.order ?? 'newest', statuses: FEEDBACK_STATUSES, limit: LIST_LIMIT });
  });

  async function renderShow(req: Request, res: Response, id: number, status = 200, extra: { fieldErrors?: FieldErrors; already?: { who: string; when: string } } = {}) {
    const message = await feedback.show(id);
    if (!message) throw new NotFound('adm.q.notFound');
    const done = req.query.done === 'email' || req.query.done === 'phone' ? req.query.done : null;
    res.status(status).render('admin/feedback/show', {
      title: 'adm.fb.title', message, done, already: extra.already ?? null, fieldErrors: extra.fieldErrors ?? {},
      values: extra.fieldErrors ? typedValues(req.body, ['answer']) : {},
    });
  }

  router.get('/admin/feedback/:id', guard, async (req, res) => renderShow(req, res, idParam(req)));

  router.post('/admin/feedback/:id/answer', guard, async (req, res) => {
    const id = idParam(req);
    const form = parseForm(answerForm, req.body);
    if (!form.ok) return renderShow(req, res, id, 422, { fieldErrors: form.errors });
    const r = await feedback.answer(actorOf(req), id, form.data.answer);
    if (r.kind === 'missing') throw new NotFound('adm.q.notFound');
    if (r.kind === 'already') return renderShow(req, res, id, 409, { already: r });
    res.redirect(303, `/admin/feedback/${id}?done=${r.channel}`);
  });

  return router;
}
