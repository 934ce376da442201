// «Добровольная блокировка»: the subscriber pauses the contract for chosen days. A block is a row (scheduled ->
// active -> finished, or cancelled) and two jobs: start at 00:01 of the first day, end at 00:01 of the day after
// the last. Every status change of the contract goes through billing (pauseContract, resumeAfterPause). The
// rules are checked again inside the confirm transaction, after locking the contract's row (its first read), so two
// requests at once make one block: the second waits, then finds the first's.
import { contractMoney, pauseContract, resumeAfterPause } from '../billing/service';
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import { enqueueJob } from '../jobs/queries';
import { addDays, atLocalTime, dayOf, splitDay, type Day } from '../lib/dates';
import { NotFound } from '../web/errors';
import type { PeriodInput } from './forms';
import * as q from './queries';
import { checkPeriod, usedInYear, type PeriodError } from './rules';

export const VOLUNTARY_BLOCK_START_JOB = 'voluntary_block_start';
export const VOLUNTARY_BLOCK_END_JOB = 'voluntary_block_end';
const JOB_MINUTE = 1; // the jobs run at 00:01 provider time, after midnight has surely passed

export type Refusal = 'blocked' | 'exists' | 'closed';
export type CreateResult = { kind: 'created'; id: number } | { kind: 'refused'; refusal: Refusal } | { kind: 'invalid'; error: PeriodError };

export function createVoluntaryBlockService(ctx: AppContext) {
  const rules = ctx.config.billing.voluntaryBlock;
  const tz = ctx.config.timeZone;
  const jobAt = (day: Day) => atLocalTime(day, 0, JOB_MINUTE, tz).toISOString();
  const today = () => dayOf(ctx.clock.now(), tz);

  async function load(db: Db | Trx, contractId: number, lock = false) {
    const contract = await contractMoney(db, contractId, { lock });
    if (!contract) throw new NotFound();
    const blocks = await q.listForContract(db, contractId);
    const current = blocks.find((b) => b.status === 'scheduled' || b.status === 'active') ?? null;
    const refusal: Refusal | null = contract.status === 'closed' ? 'closed' : contract.status === 'blocked' ? 'blocked' : current || contract.status === 'paused' ? 'exists' : null;
    return { contract, blocks, current, refusal };
  }

  async function page(contractId: number) {
    const state = await load(ctx.db, contractId);
    const day = today();
    const year = splitDay(day)[0];
    // this year always; the next one too once a block reaches into it
    const usage = [year, year + 1].map((y) => ({ year: y, used: usedInYear(state.blocks, y, tz) })).filter((u) => u.year === year || u.used > 0);
    return { ...state, rules, today: day, year, usage, floor: -state.contract.credit_limit_kopecks };
  }

  /** Ends an active block now (its end job, or the subscriber's «Завершить досрочно»): charging resumes today. */
  async function finish(trx: Trx, block: q.BlockRow) {
    const now = ctx.clock.now();
    await resumeAfterPause(trx, block.contract_id, dayOf(now, tz), now.toISOString(), VOLUNTARY_BLOCK_END_JOB);
    await q.moveBlock(trx, block.id, 'active', 'finished', { ended_at: now.toISOString() });
  }

  /** Starts a scheduled block: an active contract is paused; a blocked one cannot be, and the block is cancelled. */
  async function begin(trx: Trx, block: q.BlockRow) {
    const at = ctx.clock.now().toISOString();
    if (await pauseContract(trx, block.contract_id, VOLUNTARY_BLOCK_START_JOB, at)) {
      await q.moveBlock(trx, block.id, 'scheduled', 'active');
    } else {
      const contract = await contractMoney(trx, block.contract_id);
      await q.moveBlock(trx, block.id, 'scheduled', 'cancelled', { ended_at: at, cancel_reason: contract?.status === 'blocked' ? 'contract_blocked' : 'contract_not_active' });
    }
  }

  return {
    rules,
    page,

    /** The period against the rules, before the "check your answers" page. */
    async check(contractId: number, period: PeriodInput) {
      const shown = await page(contractId);
      const verdict = checkPeriod({ ...period, today: shown.today, rules, blocks: shown.blocks, tz });
      return { ...shown, verdict };
    },

    /** Makes the block; the same request key twice gives the same block. Starting today, it starts at once. */
    async create(contractId: number, period: PeriodInput, requestKey: string): Promise<CreateResult> {
      return inTransaction(ctx.db, async (trx) => {
        const state = await load(trx, contractId, true); // locks the contract: the first read
        const earlier = await q.findByRequestKey(trx, contractId, requestKey);
        if (earlier) return { kind: 'created', id: earlier.id };
        if (state.refusal) return { kind: 'refused', refusal: state.refusal };
        const day = today();
        const verdict = checkPeriod({ ...period, today: day, rules, blocks: state.blocks, tz });
        if (!verdict.ok) return { kind: 'invalid', error: verdict.error };
        const at = ctx.clock.now().toISOString();
        const id = await q.insertBlock(trx, { contract_id: contractId, from_day: period.from, to_day: period.to, created_at: at, request_key: requestKey });
        const block = await q.findByIdForUpdate(trx, id);
        if (period.from === day && block) await begin(trx, block);
        else await enqueueJob(trx, { kind: VOLUNTARY_BLOCK_START_JOB, run_at: jobAt(period.from), payload: { id }, idempotency_key: `${VOLUNTARY_BLOCK_START_JOB}:${id}`, created_at: at });
        await enqueueJob(trx, { kind: VOLUNTARY_BLOCK_END_JOB, run_at: jobAt(addDays(period.to, 1)), payload: { id }, idempotency_key: `${VOLUNTARY_BLOCK_END_JOB}:${id}`, created_at: at });
        return { kind: 'created', id };
      });
    },

    /** One block of this contract, for its page. */
    async show(contractId: number, id: number) {
      const block = await q.findOwn(ctx.db, contractId, id);
      const contract = block && (await contractMoney(ctx.db, contractId));
      if (!block || !contract) throw new NotFound();
      return { block, contract, rules, today: today(), floor: -contract.credit_limit_kopecks };
    },

    /** Cancels a block that has not started. False when it is not scheduled (any more). */
    async cancel(contractId: number, id: number): Promise<boolean> {
      return inTransaction(ctx.db, async (trx) => {
        const block = await q.findOwnForUpdate(trx, contractId, id);
        if (!block) throw new NotFound();
        if (block.status !== 'scheduled') return false;
        await q.moveBlock(trx, id, 'scheduled', 'cancelled', { ended_at: ctx.clock.now().toISOString(), cancel_reason: 'subscriber' });
        return true;
      });
    },

    /** «Завершить досрочно». False when the block is not active (any more). */
    async endEarly(contractId: number, id: number): Promise<boolean> {
      return inTransaction(ctx.db, async (trx) => {
        const block = await q.findOwnForUpdate(trx, contractId, id);
        if (!block) throw new NotFound();
        if (block.status !== 'active') return false;
        await finish(trx, block);
        return true;
      });
    },

    /** The start job: idempotent (only a scheduled block starts). */
    async start(id: number): Promise<void> {
      await inTransaction(ctx.db, async (trx) => {
        const block = await q.findByIdForUpdate(trx, id);
        if (block?.status === 'scheduled') await begin(trx, block);
      });
    },

    /** The end job: idempotent (only an active block ends). */
    async end(id: number): Promise<void> {
      await inTransaction(ctx.db, async (trx) => {
        const block = await q.findByIdForUpdate(trx, id);
        if (block?.status === 'active') await finish(trx, block);
      });
    },
  };
}
export type VoluntaryBlockService = ReturnType<typeof createVoluntaryBlockService>;
