// node dist/bench/cpu.js [--db FILE --pepper P | --contracts N] [--path /cabinet] [--rounds R] [--duration S] [--node-args '...']
// The server CPU one signed-in page costs, alone: the app as the bench starts it (production, every request logged),
// signed in as 100001, then `rounds` autocannon runs of `duration` s on one path; prints each run's CPU ms per answer
// (the server's user + system time from /proc over the run ÷ its answers) and their median. With --db and --pepper it
// reuses a database seeded before (seed:large with that PASSWORD_PEPPER) instead of seeding a fresh one; with
// --node-args the app's node gets those flags (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' for a profile of the runs).
import path from 'node:path';
import { signIn } from './http';
import { cleanup, out, secret, seedLarge, startApp, tempDir } from './lib';
import { measure, median } from './measure';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const rounds = Number(opt('--rounds') ?? 3);
  const duration = Number(opt('--duration') ?? 5);
  const connections = Number(opt('--connections') ?? 50);
  const page = opt('--path') ?? '/cabinet';
  let dbFile = opt('--db');
  let pepper = opt('--pepper');
  if (!dbFile || !pepper) {
    dbFile = path.join(tempDir(), 'cpu.sqlite');
    pepper = secret(48);
    const seed = await seedLarge({ dbFile, contracts: Number(opt('--contracts') ?? 100_000), pepper });
    out(`${seed.summary} (${seed.seconds.toFixed(1)} s)`);
  }
  const nodeArgs = opt('--node-args')?.split(' ').filter(Boolean) ?? [];
  const app = await startApp({ dbFile, pepper, nodeArgs });
  const cookie = await signIn(app.url, '100001', 'centra2026');
  const runs: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const r = await measure({ name: page, url: app.url + page, headers: { Cookie: cookie }, pid: app.pid }, connections, duration, 1);
    if (r.non2xx || r.errors) throw new Error(`${page}: non-2xx ${r.non2xx}, errors ${r.errors}`);
    runs.push(r.cpuMsPerReq);
    out(`round ${round}  ${page}  ${Math.round(r.reqPerSec)} req/s  CPU ${r.cpuMsPerReq.toFixed(3)} ms/answer`);
  }
  out(`median CPU ${median(runs).toFixed(3)} ms/answer over ${rounds} runs of ${duration} s, ${connections} connections`);
  await app.stop(); // SIGTERM: a --cpu-prof profile is written as the process exits
}

main()
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
