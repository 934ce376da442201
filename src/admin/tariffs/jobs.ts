// The notice of a new tariff price, as a job (see src/jobs): every contract on the tariff, in batches of BATCH, each
// batch one transaction. notify()'s key (per change and contract) makes a retried job, or one whose process died
// half-way, tell each contract once. A change cancelled before its job ran tells no one.
import type { AppContext } from '../../context';
import { inTransaction } from '../../db';
import type { JobHandler } from '../../jobs/service';
import { notify } from '../../notifications/notify';
import { t } from '../../web/i18n';
import { affectedIdsAfter, priceChangeById } from './queries';
import { PRICE_NOTICES_JOB } from './service';

const BATCH = 200;

export const priceNoticeKey = (changeId: number, contractId: number) => `tariff_price:${changeId}:${contractId}`;

export async function sendPriceNotices(ctx: AppContext, changeId: number): Promise<number> {
  const change = await priceChangeById(ctx.db, changeId);
  if (!change || change.cancelled_at) return 0;
  let sent = 0;
  for (let after = 0; ;) {
    const ids = await affectedIdsAfter(ctx.db, change.tariff_id, after, BATCH);
    if (!ids.length) return sent;
    await inTransaction(ctx.db, async (trx) => {
      for (const contractId of ids) {
        await notify(ctx, trx, { contractId, topic: 'prices', title: t('adm.tariffs.price.noticeTitle'), text: change.notice_text, key: priceNoticeKey(changeId, contractId) });
      }
    });
    sent += ids.length;
    after = ids[ids.length - 1];
  }
}

export function tariffJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  return {
    [PRICE_NOTICES_JOB]: async (payload) => {
      const id = Number(payload.id);
      if (!Number.isSafeInteger(id)) throw new Error(`${PRICE_NOTICES_JOB} job without a change id: ${JSON.stringify(payload)}`);
      const n = await sendPriceNotices(ctx, id);
      ctx.logger.info({ tariffPrice: { id, contracts: n } }, 'tariff price notices');
    },
  };
}
