// The voluntary block's scheduled work: it starts and ends by itself on the chosen days (see src/jobs).
import type { JobHandler } from '../jobs/service';
import { VOLUNTARY_BLOCK_END_JOB, VOLUNTARY_BLOCK_START_JOB, type VoluntaryBlockService } from './service';

/** The handlers, over the service src/services.ts built. */
export function voluntaryBlockJobHandlers(blocks: VoluntaryBlockService): Record<string, JobHandler> {
  return {
    [VOLUNTARY_BLOCK_START_JOB]: (payload) => blocks.start(Number(payload.id)),
    [VOLUNTARY_BLOCK_END_JOB]: (payload) => blocks.end(Number(payload.id)),
  };
}
