// The subscribers' side of «Открыть кабинет абонента»: the one-time link that opens the view, the guard that keeps
// it read-only on every request, and «Завершить просмотр» (POST /logout of a viewer session).
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { AppContext } from '../context';
import { csrfCookieName, renewCsrf } from '../web/csrf';
import { Forbidden } from '../web/errors';
import { sessionCookieName, startSignedInSession } from '../web/session';
import type { CabinetViewService } from './service';

const readOnly = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Mounted right after passport.session(), before any feature route: a viewer session ends when its view is over
 * (an hour, the staff member disabled or without the role, ended elsewhere), and every request that could change
 * something but POST /logout is refused with 403 and audited, htmx or not, whatever the route.
 */
export function viewerGuard(views: CabinetViewService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const viewer = req.user?.viewer;
    if (!viewer) return next();
    if (!(await views.stillValid(viewer, req.session.signedInAt ?? 0))) {
      delete (req as { user?: unknown }).user;
      res.locals.sessionExpired = true;
      return req.session.regenerate((err) => next(err));
    }
    if (readOnly(req.method) || (req.method === 'POST' && req.path === '/logout')) return next();
    await views.refused(viewer, req.user!.contractId, req.ip ?? '', { method: req.method, path: req.originalUrl.split('?')[0].slice(0, 200) });
    next(new Forbidden('adm.contracts.view.refused'));
  };
}

export function cabinetViewRoutes(ctx: AppContext, passport: PassportStatic, views: CabinetViewService): Router {
  const router = Router();

  router.get('/cabinet/as-staff', async (req, res, next) => {
    const opened = await views.claim(typeof req.query.token === 'string' ? req.query.token : '');
    if (!opened) throw new Forbidden('adm.contracts.view.tokenInvalid');
    // Whatever session the browser had (a subscriber's own) is replaced: req.login gives a new id.
    req.login({ contractId: opened.contractId, viewer: opened.viewer }, (err) => {
      if (err) return next(err);
      startSignedInSession(ctx, req, false);
      renewCsrf(req);
      res.redirect(303, '/cabinet');
    });
  });

  // «Завершить просмотр»: the view ends and the staff member goes back to the contract's page in the console.
  router.post('/logout', (req, res, next) => {
    const viewer = req.user?.viewer;
    if (!viewer) return next();
    const contractId = req.user!.contractId;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(async (destroyErr) => {
        if (destroyErr) return next(destroyErr);
        await views.end(viewer, contractId, req.ip ?? '');
        res.clearCookie(sessionCookieName(ctx.config), { path: '/' });
        res.clearCookie(csrfCookieName(ctx.config), { path: '/' });
        res.redirect(303, `/admin/contracts/${contractId}`);
      });
    });
  });

  return router;
}
