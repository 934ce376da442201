// Jobs (area 'jobs'): GET /admin/jobs (failed by default), POST /admin/jobs/:id/retry.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { JOB_STATES, type JobState } from '../../jobs/service';
import { NotFound } from '../../web/errors';
import { idParam } from '../requests/routes';
import { actorOf, requireStaff } from '../session';
import { createAdminJobs } from './service';

const LIST_LIMIT = 200;
const STATES = Object.keys(JOB_STATES) as JobState[];
const listQuery = z.object({
  state: z.enum(['queued', 'done', 'failed']).optional().catch(undefined),
  retried: z.string().regex(/^\d{1,12}$/).optional().catch(undefined),
});

export function jobsRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();
  const jobs = createAdminJobs(ctx);
  const guard = requireStaff(ctx, 'jobs');

  async function renderList(req: Request, res: Response, status = 200, notFailed: number | null = null) {
    const f = listQuery.parse(req.query);
    const state = f.state ?? 'failed';
    const rows = await jobs.list(state, LIST_LIMIT);
    res.status(status).render('admin/jobs/index', { title: 'adm.jobs.title', rows, state, states: STATES, limit: LIST_LIMIT, retried: f.retried ?? null, notFailed });
  }

  router.get('/admin/jobs', guard, async (req, res) => renderList(req, res));

  router.post('/admin/jobs/:id/retry', guard, async (req, res) => {
    const id = idParam(req);
    const r = await jobs.retry(actorOf(req), id);
    if (r === 'missing') throw new NotFound('adm.q.notFound');
    if (r === 'notFailed') return renderList(req, res, 409, id);
    res.redirect(303, `/admin/jobs?state=queued&retried=${id}`);
  });

  return router;
}
