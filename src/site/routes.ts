// The public pages: home, «Тарифы», «Контакты», «Подключиться», «Обратная связь».
import { Router, type Request, type Response } from 'express';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { connectForm, feedbackForm } from './forms';
import { createPrivacyPolicy } from './privacy';
import type { SiteService } from './service';

export function siteRoutes(site: SiteService, privacy: { file: string; fill: Record<string, string> }): Router {
  const router = Router();
  const policyHtml = createPrivacyPolicy(privacy.file, privacy.fill);

  router.get('/', (_req, res) => res.render('site/home', { title: 'home.title' }));

  router.get('/tariffs', async (req, res) => {
    const town = typeof req.query.town === 'string' ? req.query.town : undefined;
    res.render('site/tariffs', { title: 'tariffs.title', ...(await site.catalogue(town)) });
  });

  router.get('/privacy', async (_req, res) => res.render('site/privacy', { title: 'privacy.title', policyHtml: await policyHtml() }));

  router.get('/contacts', async (_req, res) => res.render('site/contacts', { title: 'contacts.title', ...(await site.contacts()) }));

  const connectPage = (req: Request, res: Response, status = 200, fieldErrors: FieldErrors = {}) =>
    res.status(status).render('site/connect', { title: 'connect.title', values: typedValues(req.body, ['phone', 'name', 'address']), fieldErrors });
  router.get('/connect', (req, res) => connectPage(req, res));
  router.post('/connect', async (req, res) => {
    const form = parseForm(connectForm, req.body);
    if (!form.ok) return connectPage(req, res, 422, form.errors);
    await site.requestConnection(form.data, req.ip ?? '');
    res.redirect(303, '/connect/sent');
  });
  router.get('/connect/sent', (_req, res) => res.render('site/sent', { title: 'connect.sent.title', text: 'connect.sent.text' }));

  const feedbackPage = (req: Request, res: Response, status = 200, fieldErrors: FieldErrors = {}) =>
    res.status(status).render('site/feedback', { title: 'feedback.title', values: typedValues(req.body, ['name', 'phone', 'email', 'question']), fieldErrors });
  router.get('/feedback', (req, res) => feedbackPage(req, res));
  router.post('/feedback', async (req, res) => {
    const form = parseForm(feedbackForm, req.body);
    if (!form.ok) return feedbackPage(req, res, 422, form.errors);
    await site.sendFeedback(form.data, req.ip ?? '');
    res.redirect(303, '/feedback/sent');
  });
  router.get('/feedback/sent', (_req, res) => res.render('site/sent', { title: 'feedback.sent.title', text: 'feedback.sent.text' }));

  return router;
}
