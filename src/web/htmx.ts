import type { Request, Response } from 'express';

/** A fragment is wanted when htmx asks, except when it restores history: then the whole page. */
export function wantsFragment(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true';
}

/**
 * Renders the full page, or only its swappable partial for htmx, from the same locals.
 * Vary keeps a browser cache from ever showing a bare fragment for a page address.
 */
export function renderPageOrFragment(
  req: Request, res: Response, views: { page: string; fragment: string }, locals: Record<string, unknown>, status = 200,
): void {
  res.vary('HX-Request');
  res.status(status).render(wantsFragment(req) ? views.fragment : views.page, locals);
}
