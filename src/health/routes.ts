// GET /healthz: 200 with the report when everything holds, 503 with the same JSON when something is wrong.
// Mounted before sessions, csrf and the page locals: it touches nothing but its own statements.
import { Router } from 'express';
import type { HealthService } from './service';

export function healthRoutes(health: HealthService): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const report = await health.check();
    res.status(report.status === 'ok' ? 200 : 503).set('Cache-Control', 'no-store').json(report);
  });
  return r;
}
