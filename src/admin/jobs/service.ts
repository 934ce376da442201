// Jobs as staff see them (area 'jobs', admin only): failed ones first with their error; «Повторить» through the jobs'
// own retryFailedJob, audited in its transaction.
import type { AppContext } from '../../context';
import { auditStaff, type StaffActor } from '../../audit/service';
import { inTransaction } from '../../db';
import { listJobs, retryFailedJob, type JobState } from '../../jobs/service';
import { countFailedJobs } from './queries';

export function createAdminJobs(ctx: AppContext) {
  return {
    list: (state: JobState, limit: number) => listJobs(ctx, { state, limit }),
    countFailed: () => countFailedJobs(ctx.db),

    async retry(actor: StaffActor, id: number): Promise<'queued' | 'missing' | 'notFailed'> {
      return inTransaction(ctx.db, async (trx) => {
        const r = await retryFailedJob(ctx, id, trx);
        if (r.kind === 'missing') return 'missing';
        if (r.kind === 'not-failed') return 'notFailed';
        await auditStaff(ctx, actor, { action: 'job_retry', before: { state: 'failed' }, after: { state: 'queued' }, detail: { jobId: id } }, trx);
        return 'queued';
      });
    },
  };
}
