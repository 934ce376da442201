// The console's one read of the jobs table of its own: the count for «Рабочий стол».
import type { Db } from '../../db';

export async function countFailedJobs(db: Db): Promise<number> {
  const row = await db('jobs').where({ status: 'failed' }).count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
