// What every console view has: the staff member, their menu, the csrf token, the form helpers' defaults.
import type { NextFunction, Request, Response } from 'express';
import { menuFor } from './roles';

export function staffLocals(req: Request) {
  return {
    path: req.path,
    user: null,
    staff: req.staff ?? null,
    menu: req.staff ? menuFor(req.staff.role) : [],
    csrfToken: () => (req.csrfToken ? req.csrfToken() : ''),
    fieldErrors: {} as Record<string, string>,
    values: {} as Record<string, string>,
    htmx: true,
    footerPhones: [] as unknown[],
  };
}

export function staffLocalsMiddleware(req: Request, res: Response, next: NextFunction): void {
  Object.assign(res.locals, staffLocals(req));
  // Console pages carry subscribers' data: never kept by a browser or a proxy, never indexed.
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex, nofollow');
  next();
}
