// «Рабочий стол»: what waits for the staff member's role, with counts and links. The same address answers htmx's
// poll (every 30 s) with the tiles alone (renderPageOrFragment); without JavaScript the page is reloaded by hand.
import { Router } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { renderPageOrFragment } from '../../web/htmx';
import { requireStaff } from '../session';
import { createHomeService } from './service';

export function homeRoutes(ctx: AppContext, services: Services): Router {
  const router = Router();
  const home = createHomeService(ctx, services.outbox);
  router.get('/admin', requireStaff(ctx, 'home'), async (req, res) => {
    const tiles = await home.tiles(req.staff!.role);
    renderPageOrFragment(req, res, { page: 'admin/home/index', fragment: 'admin/home/_counts' }, { title: 'admin.home.title', tiles, at: ctx.clock.now() });
  });
  return router;
}
