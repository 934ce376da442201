// Load measurement with autocannon, run from this process. Each target runs `rounds` times, interleaved
// (A B C, A B C, ...), so a slow patch of a noisy machine hits every target alike; we report the medians.
import autocannon from 'autocannon';
import { cpuSeconds } from './lib';

/**
 * pid: the server's process, whose CPU time per answer is then reported too; extraCpuSeconds: the CPU seconds used so
 * far by other processes that serve the same answers (the PostgreSQL server behind an app), added to the pid's.
 */
export type Target = { name: string; url: string; headers?: Record<string, string>; pid?: number; extraCpuSeconds?: () => number };

export type Run = {
  reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number; requests: number;
  warmupSec: number; // how long the warm-up took: at least the one asked for, longer while connections ramp up
  cpuMsPerReq: number; // the server's CPU time over the whole run ÷ all its answers (NaN without a pid)
};

export type Summary = {
  target: Target;
  runs: Run[];
  reqPerSec: number; // medians of the runs
  p50: number;
  p99: number;
  cpuMsPerReq: number;
  non2xx: number; // sums over the runs
  errors: number; // connection errors and timeouts
};

export type MeasureOptions = { connections: number; durationSec: number; warmupSec: number; rounds: number };

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The value below which `q` (0..1) of the sorted values fall (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * One autocannon run against `t`. The first part is warm-up, on the same connections as the measurement: it lasts
 * `warmupSec`, and longer if need be, until every connection has had an answer. (A server busy on one core takes up 50
 * fresh connections slowly, up to a second or more even for a trivial busy-looping node:http server, so counting from
 * the start would put that ramp into p99; a separate warm-up run would not help, autocannon opens its connections
 * anew each run.) Then `durationSec` are measured: req/s is the number of answers in that window over its length,
 * p50 and p99 exact percentiles of their latencies. Non-2xx answers and errors count over the whole run.
 */
export function measure(t: Target, connections: number, durationSec: number, warmupSec: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const warmUntil = started + warmupSec * 1000;
    const answered = new Set<unknown>();
    const latencies: number[] = [];
    let countFrom = Infinity;
    let non2xx = 0;
    let answers = 0;
    const serverCpu = () => (t.pid ? cpuSeconds(t.pid) + (t.extraCpuSeconds?.() ?? 0) : NaN);
    const cpuBefore = serverCpu();
    const instance = autocannon(
      // The run is stopped after the measured window; the duration is only a cap in case the ramp never ends.
      { url: t.url, headers: t.headers, connections, duration: warmupSec + durationSec + 30, pipelining: 1 },
      (err: unknown, r: autocannon.Result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        if (countFrom === Infinity) return reject(new Error(`${t.name}: only ${answered.size} of ${connections} connections were ever answered`));
        const cpuMsPerReq = t.pid ? ((serverCpu() - cpuBefore) * 1000) / answers : NaN;
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          reqPerSec: latencies.length / ((performance.now() - countFrom) / 1000),
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          non2xx: Math.max(non2xx, r.non2xx),
          errors: r.errors, // autocannon's errors include its timeouts
          timeouts: r.timeouts,
          requests: latencies.length,
          warmupSec: (countFrom - started) / 1000,
          cpuMsPerReq,
        });
      },
    );
    const giveUp = setTimeout(() => countFrom === Infinity && instance.stop(), (warmupSec + 15) * 1000); // the ramp never ends: broken
    instance.on('done', () => clearTimeout(giveUp));
    instance.on('response', (client, statusCode, _bytes, responseTime) => {
      answers++;
      if (statusCode < 200 || statusCode > 299) non2xx++;
      const now = performance.now();
      if (now >= countFrom) {
        latencies.push(responseTime);
        return;
      }
      answered.add(client);
      if (answered.size >= connections && now >= warmUntil) {
        countFrom = now;
        setTimeout(() => instance.stop(), durationSec * 1000);
      }
    });
  });
}

/** Every target `rounds` times, round robin, each run with its own warm-up; `onRun` hears of each run. */
export async function measureRoundRobin(targets: Target[], o: MeasureOptions, onRun: (t: Target, round: number, r: Run) => void): Promise<Summary[]> {
  const runs = new Map<Target, Run[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= o.rounds; round++) {
    for (const t of targets) {
      const r = await measure(t, o.connections, o.durationSec, o.warmupSec);
      runs.get(t)!.push(r);
      onRun(t, round, r);
    }
  }
  return targets.map((target) => {
    const rs = runs.get(target)!;
    return {
      target,
      runs: rs,
      reqPerSec: median(rs.map((r) => r.reqPerSec)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpuMsPerReq: median(rs.map((r) => r.cpuMsPerReq)),
      non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
      errors: rs.reduce((s, r) => s + r.errors, 0),
    };
  });
}
