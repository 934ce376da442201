// The operators' console under /admin: its own session and CSRF cookies (src/admin/session.ts), the staff member
// loaded on every request, then one router per noun (src/admin/<noun>/routes.ts), each page behind requireStaff.
// Mounted by createApp before the subscribers' session: a console request never reads or writes a subscriber's one.
import cookieParser from 'cookie-parser';
import { Router, type Request, type Response, type NextFunction } from 'express';
import type { AppContext } from '../context';
import type { Services } from '../services';
import { errorHandler, notFound } from '../web/errorHandler';
import { saveSessionFirst } from '../web/session';
import { staffAuthRoutes } from './auth/routes';
import { auditRoutes } from './audit/routes';
import { cashDeskRoutes } from './cash-desk/routes';
import { contractCloseRoutes } from './contract-close/routes';
import { contractFormsRoutes } from './contract-forms/routes';
import { feedbackRoutes } from './feedback/routes';
import { contractsRoutes } from './contracts/routes';
import { homeRoutes } from './home/routes';
import { jobsRoutes } from './jobs/routes';
import { outboxRoutes } from './outbox/routes';
import { registersRoutes } from './registers/routes';
import { registerUploadParser } from './registers/upload';
import { requestsRoutes } from './requests/routes';
import { staffRoutes } from './staff/routes';
import { tariffRoutes } from './tariffs/routes';
import { staffLocals, staffLocalsMiddleware } from './locals';
import { ADMIN_PATH, loadStaff, staffCsrf, staffSessionMiddleware } from './session';

export const isAdminPath = (path: string) => path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`);

export function adminRouter(ctx: AppContext, services: Services): Router {
  const handleError = errorHandler(ctx, services.site, { page: 'admin/error', locals: staffLocals });
  const router = Router();
  router.use(staffSessionMiddleware(ctx));
  router.use(saveSessionFirst(handleError));
  router.use(cookieParser());
  router.use(registerUploadParser()); // the register upload's multipart body, so that the CSRF check can read its _csrf
  router.use(staffCsrf(ctx).middleware);
  router.use(loadStaff(ctx));
  router.use(staffLocalsMiddleware);

  router.use(staffAuthRoutes(ctx, services.staffAuth));
  router.use(homeRoutes(ctx, services));
  router.use(contractCloseRoutes(ctx, services));
  router.use(contractFormsRoutes(ctx, services)); // before the contract pages: /admin/contracts/new is ours
  router.use(registersRoutes(ctx, services));
  router.use(cashDeskRoutes(ctx, services));
  router.use(staffRoutes(ctx));
  router.use(tariffRoutes(ctx));
  router.use(auditRoutes(ctx));
  router.use(requestsRoutes(ctx, services));
  router.use(feedbackRoutes(ctx, services));
  router.use(outboxRoutes(ctx, services));
  router.use(jobsRoutes(ctx, services));
  router.use(contractsRoutes(ctx, services));

  router.use(notFound);
  router.use(handleError);
  return router;
}

/**
 * Hands /admin and everything under it to the console; every other path goes on to the subscribers' site. The
 * console is built on its first request: an app that never serves it (most tests, the bench) opens no second
 * session store (whose start-up query would wait for SQLite's one connection).
 */
export function mountAdmin(ctx: AppContext, services: Services) {
  let admin: Router | undefined;
  return (req: Request, res: Response, next: NextFunction) => (isAdminPath(req.path) ? (admin ??= adminRouter(ctx, services))(req, res, next) : next());
}
