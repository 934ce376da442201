// The one place the services are built: the web app (app.ts), the scheduler and the ops commands (cli.ts) take them
// from here, so each is made once per process, with the others it needs handed in (features never build each other).
// Each is built on first use: an ops command that needs the outbox builds no rate limiter for sign-in.
import { createStaffAuthService } from './admin/auth/service';
import { createAuthService } from './auth/service';
import { autopayHooks } from './autopay/hooks';
import { createAutopayService } from './autopay/service';
import { createCabinetService } from './cabinet/service';
import { createCardPayments } from './card-payments/service';
import type { AppContext } from './context';
import { createGateway } from './gateway';
import type { Gateway } from './gateway/types';
import { createHealthService } from './health/service';
import type { Driver } from './outbox/drivers';
import { createOutbox } from './outbox/service';
import { createPaymentsService } from './payments/service';
import { createProfileService } from './profile/service';
import { createPromisedService } from './promised/service';
import { createRecoveryService } from './recovery/service';
import { createSiteService } from './site/service';
import { createStatementService } from './statement/service';
import { createTariffChangeService } from './tariff-change/service';
import { createVoluntaryBlockService } from './voluntary-block/service';

/** What a test or the bench may put in place of the configured one. */
export type ServiceOverrides = { gateway?: Gateway; outboxDrivers?: { sms: Driver; email: Driver } };

function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

export function createServices(ctx: AppContext, overrides: ServiceOverrides = {}) {
  const auth = once(() => createAuthService(ctx));
  const cabinet = once(() => createCabinetService(ctx, { promised: promised() }));
  const outbox = once(() => (overrides.outboxDrivers ? createOutbox(ctx, overrides.outboxDrivers) : createOutbox(ctx)));
  const gateway = once(() => overrides.gateway ?? createGateway(ctx));
  const cardPayments = once(() => createCardPayments(ctx, { gateway: gateway(), autopay: autopayHooks(ctx), cabinet: cabinet() }));
  const autopay = once(() => createAutopayService(ctx, { cardPayments: cardPayments(), cabinet: cabinet() }));
  const site = once(() => createSiteService(ctx));
  const payments = once(() => createPaymentsService(ctx));
  const statement = once(() => createStatementService(ctx));
  const promised = once(() => createPromisedService(ctx));
  const voluntaryBlock = once(() => createVoluntaryBlockService(ctx));
  const tariffChange = once(() => createTariffChangeService(ctx));
  const health = once(() => createHealthService(ctx));
  const recovery = once(() => createRecoveryService(ctx, outbox(), auth().passwords));
  const profile = once(() => createProfileService(ctx, outbox(), auth().passwords));
  const staffAuth = once(() => createStaffAuthService(ctx, auth().passwords));
  return {
    get auth() { return auth(); },
    get site() { return site(); },
    get cabinet() { return cabinet(); },
    get payments() { return payments(); },
    get statement() { return statement(); },
    get promised() { return promised(); },
    get voluntaryBlock() { return voluntaryBlock(); },
    get tariffChange() { return tariffChange(); },
    get health() { return health(); },
    get outbox() { return outbox(); },
    get recovery() { return recovery(); },
    get profile() { return profile(); },
    get gateway() { return gateway(); },
    get cardPayments() { return cardPayments(); },
    get autopay() { return autopay(); },
    get staffAuth() { return staffAuth(); },
  };
}
export type Services = ReturnType<typeof createServices>;
