// What every console view has: the staff member, their menu, the csrf token, the form helpers' defaults.
import type { NextFunction, Request, Response } from 'express';
import { can, menuFor, type Area } from './roles';

/** The menu entry of this page: the longest href the path is at or under ('/admin/registers/unmatched' over '/admin/registers'). */
function currentOf(menu: { href: string }[], path: string): string | null {
  let best: string | null = null;
  for (const m of menu) if ((path === m.href || path.startsWith(`${m.href}/`)) && m.href.length > (best?.length ?? 0)) best = m.href;
  return best;
}

export function staffLocals(req: Request) {
  const menu = req.staff ? menuFor(req.staff.role) : [];
  return {
    path: req.path,
    user: null,
    staff: req.staff ?? null,
    menu,
    menuCurrent: currentOf(menu, req.path),
    /** Whether this staff member's role may open an area: a view shows a link or a button only to those who may. */
    may: (area: Area) => Boolean(req.staff && can(req.staff.role, area)),
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
