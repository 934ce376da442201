// The outbox (area 'outbox'): GET /admin/outbox by state and channel; POST /admin/outbox/:id/retry for a failed one.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { NotFound } from '../../web/errors';
import type { MessageKey } from '../../web/i18n';
import { idParam } from '../requests/routes';
import { actorOf, requireStaff } from '../session';
import { OUTBOX_CHANNELS, OUTBOX_STATES } from './queries';
import { createAdminOutbox } from './service';

const LIST_LIMIT = 200;
const listQuery = z.object({
  state: z.enum(OUTBOX_STATES).optional().catch(undefined),
  channel: z.enum(OUTBOX_CHANNELS).optional().catch(undefined),
  retried: z.string().regex(/^\d{1,12}$/).optional().catch(undefined),
});

export function outboxRoutes(ctx: AppContext, services: Services): Router {
  const router = Router();
  const admin = createAdminOutbox(ctx, services.outbox);
  const guard = requireStaff(ctx, 'outbox');

  async function renderList(req: Request, res: Response, status = 200, problem: { key: MessageKey; id: number } | null = null) {
    const f = listQuery.parse(req.query);
    const rows = await admin.list({ state: f.state ?? null, channel: f.channel ?? null, limit: LIST_LIMIT });
    res.status(status).render('admin/outbox/index', {
      title: 'adm.outbox.title', rows, state: f.state ?? null, channel: f.channel ?? null, states: OUTBOX_STATES, channels: OUTBOX_CHANNELS,
      limit: LIST_LIMIT, retried: f.retried ?? null, problem,
    });
  }

  router.get('/admin/outbox', guard, async (req, res) => renderList(req, res));

  router.post('/admin/outbox/:id/retry', guard, async (req, res) => {
    const id = idParam(req);
    const r = await admin.retry(actorOf(req), id);
    if (r === 'missing') throw new NotFound('adm.q.notFound');
    if (r === 'notFailed') return renderList(req, res, 409, { key: 'adm.outbox.notFailed', id });
    if (r === 'oneTimeCode') return renderList(req, res, 409, { key: 'adm.outbox.codeRefused', id });
    res.redirect(303, `/admin/outbox?state=queued&retried=${id}`);
  });

  return router;
}
