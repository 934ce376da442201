// The promised payment's scheduled work: taking the credit back at its due time (see src/jobs).
import type { JobHandler } from '../jobs/service';
import { PROMISED_EXPIRY_JOB, type PromisedService } from './service';

/** The handlers, over the service src/services.ts built. */
export function promisedJobHandlers(promised: PromisedService): Record<string, JobHandler> {
  return { [PROMISED_EXPIRY_JOB]: (payload) => promised.expire(Number(payload.id)) };
}
