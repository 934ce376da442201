// What every template can use: t(), the formatters, the csrf token, the signed-in user, the frame's contacts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { formatDateTime, formatDay } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { formatPhone, maskPhone, telHref } from '../lib/phone';
import { PUBLIC_DIR } from '../paths';
import type { SiteService } from '../site/service';
import { t } from './i18n';

const assetVersions = new Map<string, string>();
/** '/css/site.css' -> '/static/css/site.css?v=3f2a…': files are served with a year's cache, so the name must change with them. */
export function asset(url: string): string {
  let v = assetVersions.get(url);
  if (v === undefined) {
    try {
      v = crypto.createHash('sha256').update(fs.readFileSync(path.join(PUBLIC_DIR, url))).digest('hex').slice(0, 10);
    } catch {
      v = '0';
    }
    assetVersions.set(url, v);
  }
  return `/static${url}?v=${v}`;
}

/** The helpers every view uses, the same for every request: set once on app.locals (createApp). */
export function appLocals(ctx: AppContext) {
  const tz = ctx.config.timeZone;
  return {
    t,
    money: formatMoney,
    day: formatDay,
    dateTime: (at: string | Date) => formatDateTime(at, tz),
    phone: formatPhone,
    maskPhone,
    telHref,
    asset,
    provider: ctx.config.provider,
    /** «Тестовое время: …» while a tester has moved the clock (src/test-clock; a cached read, never a query), else null. */
    testTime: (): string | null => (ctx.clock.moved?.() ? formatDateTime(ctx.clock.now(), tz) : null),
  };
}

/** What depends on the request: set on res.locals for each one. */
export function requestLocals(req: Request) {
  return {
    path: req.path,
    user: req.user ?? null,
    csrfToken: () => (req.csrfToken ? req.csrfToken() : ''),
    fieldErrors: {} as Record<string, string>,
    values: {} as Record<string, string>,
  };
}

/** Everything at once, for an answer rendered outside the usual chain (the error handler). */
export function staticLocals(ctx: AppContext, req: Request) {
  return { ...appLocals(ctx), ...requestLocals(req), footerPhones: [] as unknown[] };
}

export function localsMiddleware(site: SiteService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    Object.assign(res.locals, requestLocals(req));
    res.locals.footerPhones = (await site.frame()).footerPhones;
    next();
  };
}
