import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { AppContext } from '../context';
import { isStorageError } from '../db';
import type { SiteService } from '../site/service';
import { CSRF_ERROR_CODE } from './csrf';
import { HttpError, NotFound, TooManyRequests } from './errors';
import { wantsFragment } from './htmx';
import type { MessageKey } from './i18n';
import { appLocals, staticLocals } from './locals';

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFound());

/** A storage failure (full or read-only disk ...) is answered with 503 and this Retry-After, in seconds. */
export const STORAGE_RETRY_AFTER_SECONDS = 120;

type LooseError = { status?: number; statusCode?: number; type?: string; code?: string; expose?: boolean };

function classify(err: unknown): { status: number; key: MessageKey; params?: Record<string, string | number> } {
  if (err instanceof HttpError) return { status: err.status, key: err.messageKey, params: err.params };
  const e = (err ?? {}) as LooseError;
  if (e.code === CSRF_ERROR_CODE) return { status: 403, key: 'error.csrf' };
  if (isStorageError(err)) return { status: 503, key: 'error.unavailable' };
  if (e.type === 'entity.too.large' || e.type === 'parameters.too.many') return { status: 413, key: 'error.tooLarge' };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, key: status === 404 ? 'error.notFound' : 'error.badRequest' };
  return { status: 500, key: 'error.internal' };
}

/** Another frame for the error page: the operators' console shows its errors in its own (src/admin/app.ts). */
export type ErrorFrame = { page: string; locals: (req: Request) => Record<string, unknown> };

/** The one error handler: a Russian page (or the _error fragment for htmx) that reveals nothing. */
export function errorHandler(ctx: AppContext, site: SiteService, frame?: ErrorFrame): ErrorRequestHandler {
  return async (err, req: Request, res, next) => {
    if (res.headersSent) return next(err);
    const { status, key, params } = classify(err);
    if (status >= 500) (req.log ?? ctx.logger).error({ err }, 'request failed');
    if (err instanceof TooManyRequests) res.set('Retry-After', String(err.retryAfterSeconds));
    if (status === 503) {
      res.set('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
      res.locals.storageFailed = true; // the session is not saved with this answer (see saveSessionFirst)
    }
    let footerPhones: unknown[] = [];
    try {
      footerPhones = (await site.frame()).footerPhones;
    } catch {
      /* the database may be what failed */
    }
    const view = wantsFragment(req) ? 'errors/_error' : frame ? frame.page : status === 404 ? 'errors/404' : status >= 500 ? 'errors/500' : 'errors/error';
    const locals = frame ? { ...appLocals(ctx), ...frame.locals(req) } : { ...staticLocals(ctx, req), footerPhones };
    res.vary('HX-Request');
    res.status(status).render(view, { ...locals, status, message: key, messageParams: params ?? {} }, (renderErr, html) => {
      if (renderErr) {
        ctx.logger.error({ err: renderErr }, 'error page failed to render');
        res.type('text/plain; charset=utf-8').send(status >= 500 ? 'Ошибка сервера' : 'Ошибка запроса');
        return;
      }
      res.send(html);
    });
  };
}
