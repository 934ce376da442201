// createApp(ctx): the middleware in order, the feature routers, then 404 and the one error handler.
import crypto from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { mountAdmin } from './admin/app';
import { authRoutes } from './auth/routes';
import { cabinetRoutes } from './cabinet/routes';
import { cabinetViewRoutes, viewerGuard } from './cabinet-view/routes';
import { cabinetViewService } from './cabinet-view/service';
import type { AppContext } from './context';
import { PUBLIC_DIR, VIEWS_DIR } from './paths';
import { paymentsRoutes } from './payments/routes';
import { promisedRoutes } from './promised/routes';
import { voluntaryBlockRoutes } from './voluntary-block/routes';
import { siteRoutes } from './site/routes';
import { statementRoutes } from './statement/routes';
import { healthRoutes } from './health/routes';
import { recoveryRoutes } from './recovery/routes';
import { profileRoutes, unsubscribePage, unsubscribePostRoute } from './profile/routes';
import { tariffChangeRoutes } from './tariff-change/routes';
import { configurePassport } from './web/auth';
import { sandboxRoutes } from './gateway/routes';
import { notificationRoutes, payRoutes } from './card-payments/routes';
import { autopayRoutes } from './autopay/routes';
import { createCsrf } from './web/csrf';
import { errorHandler, notFound } from './web/errorHandler';
import { createViewEngine } from './web/views';
import { catalogueMode } from './web/i18nMode';
import { appLocals, localsMiddleware } from './web/locals';
import { idleTimeout, pinRememberExpiry, saveSessionFirst, sessionMiddleware } from './web/session';
import { createServices, type Services } from './services';

/** The services come from src/services.ts (one of each per process); a test may pass its own set. */
export function createApp(ctx: AppContext, services: Services = createServices(ctx)): Express {
  const app = express();
  catalogueMode(ctx);
  const passport = configurePassport();

  app.set('trust proxy', ctx.config.trustProxy);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('view cache', ctx.config.env !== 'development');
  // EJS views through our engine (src/web/views.ts: locals destructured, includes without copies). Includes are
  // absolute from views/ ('/partials/head'). In production the compiled views keep no line numbers for error
  // messages (compileDebug: a counter assignment per line and a try/catch around each view).
  app.engine('ejs', createViewEngine({ root: VIEWS_DIR, cache: ctx.config.env !== 'development', compileDebug: !ctx.config.isProduction }));
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
      // What a request line needs, no headers: nothing to redact, less to serialise on every request. The
      // serializers read the request and response themselves (wrapSerializers: false): pino's standard ones would
      // first copy every response header and parse the query string, for fields this line does not keep.
      wrapSerializers: false,
      serializers: {
        // The path without its query string: e-mail confirmation and unsubscribe tokens travel there.
        req: (req: express.Request) => ({ id: req.id, method: req.method, url: (req.originalUrl ?? req.url).split('?')[0], ip: req.socket?.remoteAddress }),
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

  app.use(healthRoutes(services.health));

  // Static files live under their own prefix, so that page requests never stat the disk looking for one. css and js
  // go out as their .gz twins made at build time. Pages are not compressed here: Node's one core renders them,
  // and the TLS proxy in front compresses (README, "Running in production").
  app.use(
    '/static',
    expressStaticGzip(PUBLIC_DIR, { enableBrotli: false, index: false, serveStatic: { maxAge: '365d', immutable: true, fallthrough: false } }),
  );
  // The payment gateway's notifications: before sessions and csrf (the gateway has neither), with their own JSON parser.
  app.use(notificationRoutes(ctx, services.cardPayments));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  const handleError = errorHandler(ctx, services.site);
  app.use(mountAdmin(ctx, services)); // the operators' console: its own session, before the subscribers'
  app.use(sessionMiddleware(ctx));
  app.use(saveSessionFirst(handleError));
  app.use(pinRememberExpiry(ctx));
  app.use(idleTimeout(ctx));
  app.use(passport.initialize());
  app.use(passport.session());
  const cabinetViews = cabinetViewService(ctx);
  app.use(viewerGuard(cabinetViews)); // a staff member's view of a cabinet is read-only: before every feature route
  app.use(unsubscribePostRoute(ctx)); // before the CSRF check: one-click unsubscribe (RFC 8058) has no session
  app.use(cookieParser()); // after the session (which reads its own cookie); csrf-csrf reads req.cookies
  app.use(createCsrf(ctx.config).middleware);
  Object.assign(app.locals, appLocals(ctx)); // the views' helpers, once; per request only what depends on it
  app.use(localsMiddleware(services.site));

  app.use(siteRoutes(services.site, { file: ctx.config.privacyPolicyFile, fill: { 'provider.name': ctx.config.provider.name, 'provider.email': ctx.config.provider.email } }));
  app.use(cabinetViewRoutes(ctx, passport, cabinetViews)); // before authRoutes: a viewer's POST /logout ends the view
  app.use(authRoutes(ctx, passport, services.auth));
  app.use(cabinetRoutes(services.cabinet));
  app.use(paymentsRoutes(services.payments));
  app.use(tariffChangeRoutes(services.tariffChange));
  app.use(statementRoutes(services.statement));
  app.use(promisedRoutes(services.promised, ctx.config.timeZone));
  app.use(voluntaryBlockRoutes(services.voluntaryBlock, ctx.config.timeZone));
  app.use(payRoutes(ctx, services.cardPayments));
  app.use(autopayRoutes(ctx, services.autopay));
  if (ctx.config.payments.gateway === 'sandbox') app.use(sandboxRoutes(ctx));
  app.use(recoveryRoutes(ctx, services.recovery));
  app.use(profileRoutes(ctx, services.profile));
  app.use(unsubscribePage(ctx));

  app.use(notFound);
  app.use(handleError);
  return app;
}
