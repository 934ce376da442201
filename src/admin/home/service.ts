// «Рабочий стол»: what waits, for the areas the staff member's role may open only (each count is asked only then).
import type { AppContext } from '../../context';
import type { Outbox } from '../../outbox/service';
import type { MessageKey } from '../../web/i18n';
import { createFeedbackService } from '../feedback/service';
import { createAdminJobs } from '../jobs/service';
import { createAdminOutbox } from '../outbox/service';
import { createRegistersService } from '../registers/service';
import { createRequestsService } from '../requests/service';
import { can, type Area } from '../roles';

export type Tile = { key: string; label: MessageKey; href: string; count: number };

export function createHomeService(ctx: AppContext, outbox: Outbox) {
  const requests = createRequestsService(ctx);
  const feedback = createFeedbackService(ctx);
  const adminOutbox = createAdminOutbox(ctx, outbox);
  const jobs = createAdminJobs(ctx);
  const registers = createRegistersService(ctx);
  const items: { key: string; area: Area; label: MessageKey; href: string; count: () => Promise<number> }[] = [
    { key: 'requests', area: 'requests', label: 'adm.home.requests', href: '/admin/requests?status=new', count: requests.countNew },
    { key: 'feedback', area: 'feedback', label: 'adm.home.feedback', href: '/admin/feedback?status=new', count: feedback.countNew },
    { key: 'outbox', area: 'outbox', label: 'adm.home.outbox', href: '/admin/outbox?state=failed', count: adminOutbox.countFailed },
    { key: 'jobs', area: 'jobs', label: 'adm.home.jobs', href: '/admin/jobs?state=failed', count: jobs.countFailed },
    { key: 'unmatched', area: 'registers', label: 'adm.home.unmatched', href: '/admin/registers/unmatched', count: registers.countUnmatched },
  ];
  return {
    async tiles(role: string): Promise<Tile[]> {
      const mine = items.filter((i) => can(role, i.area));
      const counts = await Promise.all(mine.map((i) => i.count()));
      return mine.map((i, n) => ({ key: i.key, label: i.label, href: i.href, count: counts[n] }));
    },
  };
}
