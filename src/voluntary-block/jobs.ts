// The voluntary block's scheduled work: it starts and ends by itself on the chosen days (see src/jobs).
import type { AppContext } from '../context';
import type { JobHandler } from '../jobs/service';
import { createVoluntaryBlockService, VOLUNTARY_BLOCK_END_JOB, VOLUNTARY_BLOCK_START_JOB } from './service';

export function voluntaryBlockJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  const blocks = createVoluntaryBlockService(ctx);
  return {
    [VOLUNTARY_BLOCK_START_JOB]: (payload) => blocks.start(Number(payload.id)),
    [VOLUNTARY_BLOCK_END_JOB]: (payload) => blocks.end(Number(payload.id)),
  };
}
