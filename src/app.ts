// createApp(ctx): the middleware in order, the feature routers, then 404 and the one error handler.
import crypto from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { createAuthService } from './auth/service';
import { authRoutes } from './auth/routes';
import { createCabinetService } from './cabinet/service';
import { cabinetRoutes } from './cabinet/routes';
import type { AppContext } from './context';
import { PUBLIC_DIR, VIEWS_DIR } from './paths';
import { createPaymentsService } from './payments/service';
import { paymentsRoutes } from './payments/routes';
import { createPromisedService } from './promised/service';
import { promisedRoutes } from './promised/routes';
import { createVoluntaryBlockService } from './voluntary-block/service';
import { voluntaryBlockRoutes } from './voluntary-block/routes';
import { createSiteService } from './site/service';
import { siteRoutes } from './site/routes';
import { createStatementService } from './statement/service';
import { statementRoutes } from './statement/routes';
import { createTariffChangeService } from './tariff-change/service';
import { createOutbox } from './outbox/service';
import { createHealthService } from './health/service';
import { healthRoutes } from './health/routes';
import { createRecoveryService } from './recovery/service';
import { recoveryRoutes } from './recovery/routes';
import { createProfileService } from './profile/service';
import { profileRoutes, unsubscribePage, unsubscribePostRoute } from './profile/routes';
import { tariffChangeRoutes } from './tariff-change/routes';
import { configurePassport } from './web/auth';
import { sandboxRoutes } from './gateway/routes';
import { createOnlinePayments } from './payments/online';
import { notificationRoutes, payRoutes } from './payments/payRoutes';
import { createPayPageService } from './payments/payService';
import { autopayRoutes } from './autopay/routes';
import { createAutopayService } from './autopay/service';
import { createCsrf } from './web/csrf';
import { errorHandler, notFound } from './web/errorHandler';
import { catalogueMode } from './web/i18nMode';
import { localsMiddleware } from './web/locals';
import { idleTimeout, pinRememberExpiry, saveSessionFirst, sessionMiddleware } from './web/session';

export function createApp(ctx: AppContext): Express {
  const app = express();
  catalogueMode(ctx);
  const services = {
    auth: createAuthService(ctx),
    site: createSiteService(ctx),
    cabinet: createCabinetService(ctx),
    payments: createPaymentsService(ctx),
  };
  const passport = configurePassport();

  app.set('trust proxy', ctx.config.trustProxy);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('view cache', ctx.config.env !== 'development');
  // Includes are absolute from views/ ('/partials/head'): a relative include costs a disk check on every render.
  app.set('view options', { rmWhitespace: true, root: VIEWS_DIR });
  app.disable('x-powered-by');

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const id = crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 && res.statusCode !== 404 ? 'warn' : 'info'),
      // What a request line needs, no headers: nothing to redact, less to serialise on every request.
      serializers: {
        // The path without its query string: e-mail confirmation and unsubscribe tokens travel there.
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0], ip: req.remoteAddress }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      // Helmet's default CSP: script-src 'self', script-src-attr 'none' (no inline script at all). Styles come from
      // public/css alone: no style attribute or <style> in a view, and htmx's indicator styles are off (htmx-config).
      contentSecurityPolicy: { directives: { 'style-src': ["'self'"], 'upgrade-insecure-requests': ctx.config.isProduction ? [] : null } },
      strictTransportSecurity: ctx.config.isProduction,
    }),
  );

  app.use(healthRoutes(createHealthService(ctx)));

  // Static files live under their own prefix, so that page requests never stat the disk looking for one. css and js
  // go out as their .gz twins made at build time. Pages are not compressed here: Node's one core renders them,
  // and the TLS proxy in front compresses (README, "Running in production").
  app.use(
    '/static',
    expressStaticGzip(PUBLIC_DIR, { enableBrotli: false, index: false, serveStatic: { maxAge: '365d', immutable: true, fallthrough: false } }),
  );
  // The payment gateway's notifications: before sessions and csrf (the gateway has neither), with their own JSON parser.
  const online = createOnlinePayments(ctx);
  app.use(notificationRoutes(ctx, online));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  const handleError = errorHandler(ctx, services.site);
  app.use(sessionMiddleware(ctx));
  app.use(saveSessionFirst(handleError));
  app.use(pinRememberExpiry(ctx));
  app.use(idleTimeout(ctx));
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(unsubscribePostRoute(ctx)); // before the CSRF check: one-click unsubscribe (RFC 8058) has no session
  app.use(cookieParser()); // after the session (which reads its own cookie); csrf-csrf reads req.cookies
  app.use(createCsrf(ctx.config).middleware);
  app.use(localsMiddleware(ctx, services.site));

  app.use(siteRoutes(services.site, { file: ctx.config.privacyPolicyFile, fill: { 'provider.name': ctx.config.provider.name, 'provider.email': ctx.config.provider.email } }));
  app.use(authRoutes(ctx, passport, services.auth));
  app.use(cabinetRoutes(services.cabinet));
  app.use(paymentsRoutes(services.payments));
  app.use(tariffChangeRoutes(createTariffChangeService(ctx)));
  app.use(statementRoutes(createStatementService(ctx)));
  app.use(promisedRoutes(createPromisedService(ctx), ctx.config.timeZone));
  app.use(voluntaryBlockRoutes(createVoluntaryBlockService(ctx), ctx.config.timeZone));
  app.use(payRoutes(ctx, createPayPageService(ctx), online));
  app.use(autopayRoutes(ctx, createAutopayService(ctx, online)));
  if (ctx.config.payments.gateway === 'sandbox') app.use(sandboxRoutes(ctx));
  const outbox = createOutbox(ctx);
  app.use(recoveryRoutes(ctx, createRecoveryService(ctx, outbox, services.auth.passwords)));
  app.use(profileRoutes(ctx, createProfileService(ctx, outbox, services.auth.passwords)));
  app.use(unsubscribePage(ctx));

  app.use(notFound);
  app.use(handleError);
  return app;
}
