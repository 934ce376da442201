// The promised payment's scheduled work: taking the credit back at its due time (see src/jobs).
import type { AppContext } from '../context';
import type { JobHandler } from '../jobs/service';
import { createPromisedService, PROMISED_EXPIRY_JOB } from './service';

export function promisedJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  const promised = createPromisedService(ctx);
  return { [PROMISED_EXPIRY_JOB]: (payload) => promised.expire(Number(payload.id)) };
}
