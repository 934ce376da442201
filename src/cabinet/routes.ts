// The cabinet's dashboard and its balance fragment, which htmx refreshes (a button, and every 60 s).
import { Router, type Request, type Response } from 'express';
import { requireSubscriber } from '../web/auth';
import { renderPageOrFragment, wantsFragment } from '../web/htmx';
import type { CabinetService } from './service';

export function cabinetRoutes(cabinet: CabinetService): Router {
  const router = Router();
  router.use('/cabinet', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // private data: never from a shared or back-forward cache
    next();
  });

  const show = async (req: Request, res: Response) => {
    const locals = await cabinet.dashboard(req.user!.contractId);
    // the page also shows the newest unread notices and, after a password recovery, a line saying so; the balance
    // fragment (refreshed every 60 s) asks for neither
    const page = !wantsFragment(req);
    const notices = page && locals.hasUnread ? await cabinet.unreadNotices(req.user!.contractId) : [];
    const recovered = page && req.path === '/cabinet' && req.query.recovered === '1';
    renderPageOrFragment(req, res, { page: 'cabinet/show', fragment: 'cabinet/_balance' }, { title: 'cabinet.title', ...locals, notices, recovered });
  };
  router.get('/cabinet', show);
  router.get('/cabinet/balance', show);
  return router;
}
