// The public site: the frame's contacts, «Контакты», «Тарифы», and the two things a visitor can leave:
// a request to connect («Подключиться») and a question («Обратная связь»).
import { databaseRateLimiter } from '../web/rateLimits';
import { audit } from '../audit/service';
import type { AppContext } from '../context';
import { networkOf } from '../web/clientNetwork';
import { TooManyRequests } from '../web/errors';
import * as q from './queries';

export const SEGMENTS = ['flat', 'house', 'business'] as const;
export type Segment = (typeof SEGMENTS)[number];

const FRAME_TTL_MS = 5 * 60_000;

export function createSiteService(ctx: AppContext) {
  let frameCache: { at: number; footerPhones: q.ContactPhoneRow[] } | null = null;
  const publicForms = databaseRateLimiter(ctx.db, { keyPrefix: 'public_form', points: ctx.config.publicFormsPerHour, duration: 3600 });

  async function limitVisitor(ip: string) {
    try {
      await publicForms.consume(networkOf(ip)); // an IPv6 client counts by its /64
    } catch (e) {
      if (e instanceof Error) throw e;
      throw new TooManyRequests(Math.ceil((e as { msBeforeNext: number }).msBeforeNext / 1000));
    }
  }

  return {
    /** The footer's contact numbers: read once every few minutes, not on every page. */
    async frame() {
      const now = Date.now();
      if (!frameCache || now - frameCache.at > FRAME_TTL_MS) {
        const phones = await q.listContactPhones(ctx.db);
        frameCache = { at: now, footerPhones: phones.filter((p) => p.in_footer) };
      }
      return frameCache;
    },

    async contacts() {
      const [towns, phones, offices, bank] = await Promise.all([q.listTowns(ctx.db), q.listContactPhones(ctx.db), q.listOffices(ctx.db), q.findBankDetails(ctx.db)]);
      return {
        bank: bank ?? null,
        towns: towns.map((town) => ({
          ...town,
          phones: phones.filter((p) => p.town_id === town.id),
          offices: offices.filter((o) => o.town_id === town.id),
        })),
        common: phones.filter((p) => p.town_id === null),
      };
    },

    async catalogue(townSlug: string | undefined) {
      const towns = await q.listTowns(ctx.db);
      const town = towns.find((t) => t.slug === townSlug) ?? towns[0];
      const rows = town ? (await q.listCatalogue(ctx.db)).filter((r) => r.town_id === town.id) : [];
      return { towns, town, segments: SEGMENTS.map((segment) => ({ segment, tariffs: rows.filter((r) => r.segment === segment) })) };
    },

    async requestConnection(form: { phone: string; name: string | null; address: string | null }, ip: string) {
      await limitVisitor(ip);
      await q.insertConnectionRequest(ctx.db, { ...form, created_at: ctx.clock.now().toISOString() });
      await audit(ctx, { actor: 'visitor', action: 'connection_requested', ip });
    },

    async sendFeedback(form: { name: string; phone: string; email: string | null; question: string }, ip: string) {
      await limitVisitor(ip);
      await q.insertFeedback(ctx.db, { ...form, created_at: ctx.clock.now().toISOString() });
      await audit(ctx, { actor: 'visitor', action: 'feedback_sent', ip });
    },
  };
}
export type SiteService = ReturnType<typeof createSiteService>;
