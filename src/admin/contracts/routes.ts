// The console's contracts: «Поиск» (a page, and its results as a fragment for search as you type), a contract's
// page, and «Открыть кабинет абонента» (a one-time link to the subscribers' site: src/cabinet-view).
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { cabinetViewService } from '../../cabinet-view/service';
import { NotFound } from '../../web/errors';
import { renderPageOrFragment } from '../../web/htmx';
import { can } from '../roles';
import { actorOf, requireStaff } from '../session';
import { contractsService, LEDGER_PAGE, SEARCH_LIMIT } from './service';

/** A contract's id in the path; anything else (/admin/contracts/new …) is another route's. */
const contractId = (req: Request, _res: Response, next: NextFunction) => (/^[1-9]\d{0,9}$/.test(String(req.params.id)) ? next() : next('route'));
const idOf = (req: Request) => Number(req.params.id);

export function contractsRoutes(ctx: AppContext, _services: Services): Router {
  const contracts = contractsService(ctx);
  const views = cabinetViewService(ctx);
  const router = Router();

  router.get('/admin/contracts', requireStaff(ctx, 'contracts'), async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    const result = query.trim() ? await contracts.search(query) : null;
    renderPageOrFragment(req, res, { page: 'admin/contracts/search', fragment: 'admin/contracts/_results' }, { title: 'adm.contracts.search.title', query, result, limit: SEARCH_LIMIT });
  });

  router.get('/admin/contracts/:id', contractId, requireStaff(ctx, 'contracts'), async (req, res) => {
    const pageNo = /^\d{1,6}$/.test(String(req.query.page ?? '')) ? Number(req.query.page) : 1;
    const page = await contracts.page(idOf(req), pageNo);
    if (!page) throw new NotFound('adm.contracts.notFound');
    const role = req.staff!.role;
    const may = { edit: can(role, 'contractsEdit'), contacts: can(role, 'contractsContacts'), cash: can(role, 'cashDesk'), view: can(role, 'viewCabinet') };
    res.render('admin/contracts/show', { title: 'adm.contracts.show.title', ...page, may, ledgerPageSize: LEDGER_PAGE });
  });

  router.post('/admin/contracts/:id/cabinet', contractId, requireStaff(ctx, 'viewCabinet'), async (req, res) => {
    const token = await views.start(actorOf(req), idOf(req));
    res.redirect(303, `/cabinet/as-staff?token=${token}`);
  });

  return router;
}
