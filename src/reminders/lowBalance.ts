// «Заканчиваются деньги»: once a day (LOW_BALANCE_HOUR, 10:00 provider time, outside the SMS quiet hours) every
// active contract whose balance lasts fewer than LOW_BALANCE_DAYS more days is told the amount to pay and the pay
// page, by the channels it subscribed to (topic low_balance). The key is the contract and the last day the money
// covers: the same shortfall is told once however many days the job runs; a payment that moves the day tells anew.
import type { AppContext } from '../context';
import { lastsUntil, toPayForNextMonth } from '../billing/forecast';
import type { Jobs, JobHandler } from '../jobs/service';
import { addDays, atLocalTime, dayOf, formatDay, type Day } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { notify } from '../notifications/notify';
import { t } from '../web/i18n';
import { inTransaction } from '../db';
import { activeContractsWithFees, noticeExists } from './queries';

export const LOW_BALANCE_JOB = 'low_balance_reminders';
const LOW_BALANCE_HOUR = 10;

export async function remindLowBalance(ctx: AppContext, today: Day): Promise<{ told: number }> {
  const rows = await activeContractsWithFees(ctx.db, today);
  const horizon = addDays(today, ctx.config.lowBalanceDays);
  let told = 0;
  for (const r of rows) {
    const fees = [r.tariff_fee, r.services_fee];
    const f = lastsUntil(r.balance_kopecks, fees, today);
    if (f.kind === 'unlimited' || f.kind === 'beyond') continue;
    const lastDay = f.kind === 'exhausted' ? today : f.day;
    if (lastDay >= horizon) continue;
    const amount = toPayForNextMonth(r.balance_kopecks, fees, today);
    if (amount <= 0) continue;
    const key = `low_balance:${r.id}:${lastDay}`;
    const before = await noticeExists(ctx.db, key);
    await inTransaction(ctx.db, (trx) =>
      notify(ctx, trx, {
        contractId: r.id, topic: 'low_balance', title: t('reminder.lowBalance.title'),
        text: t('reminder.lowBalance.text', { date: formatDay(lastDay), amount: formatMoney(amount) }),
        link: '/cabinet/pay', key,
      }),
    );
    if (!before) told++;
  }
  return { told };
}

export function reminderJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  return { [LOW_BALANCE_JOB]: async (p) => void (await remindLowBalance(ctx, String(p.day))) };
}

/** Puts today's reminder run in the jobs table (once per day, by its key). */
export async function scheduleReminders(ctx: AppContext, jobs: Jobs): Promise<void> {
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  const runAt = atLocalTime(today, LOW_BALANCE_HOUR, 0, ctx.config.timeZone);
  await jobs.enqueue(LOW_BALANCE_JOB, runAt, `${LOW_BALANCE_JOB}:${today}`, { day: today });
}
