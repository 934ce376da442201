// «Рабочий стол»: what waits for the staff member's role, with counts and links.
import { Router } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { requireStaff } from '../session';

export function homeRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();
  router.get('/admin', requireStaff(ctx, 'home'), (_req, res) => {
    res.render('admin/home/index', { title: 'admin.home.title' });
  });
  return router;
}
