// The PostgreSQL part of the bench: a cluster of its own (test/support/postgres.js: initdb into a temp dir, a free
// local port, nothing else on the machine touched), the same large seed loaded into it (`seed:large` with
// DATABASE_URL), the app started on it, and the CPU time the server's processes use (to add to the app's own).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { onCleanup, out, ROOT, runNode, startApp, type Child, type SeedResult } from './lib';
import { fmt } from './report';

type Cluster = { url: string; stop: () => void; dir: string };

/**
 * Durability as the SQLite app's in the bench (WAL with synchronous=NORMAL: a commit does not wait for the disk, a
 * checkpoint does): fsync and full-page writes back on, synchronous_commit off. The test cluster turns all three off.
 */
const BENCH_SETTINGS = ['fsync=on', 'full_page_writes=on', 'synchronous_commit=off'];

export type PostgresServer = {
  /** postgres://… of a database on the cluster (made empty on the first call for that name). */
  database: (name: string) => Promise<string>;
  /** CPU seconds the whole cluster has used so far: the postmaster, its live children, and those it has reaped. */
  cpuSeconds: () => number;
  settings: string[];
  version: string;
};

async function admin(url: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(sql);
    return String(r.rows[0] ? Object.values(r.rows[0])[0] : '');
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** utime, stime (and, with children, cutime and cstime: reaped children's) of a process, in seconds. */
export function procCpu(pid: number, withReaped: boolean): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 of proc(5)
    return (Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0)) / 100;
  } catch {
    return 0; // gone meanwhile
  }
}

export function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

export async function startPostgres(): Promise<PostgresServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startCluster } = require(path.join(ROOT, 'test', 'support', 'postgres.js')) as { startCluster: (o: { settings: string[] }) => Promise<Cluster> };
  const cluster = await startCluster({ settings: BENCH_SETTINGS });
  onCleanup(() => cluster.stop());
  const postmaster = Number(fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const version = await admin(cluster.url, 'show server_version');
  out(`PostgreSQL ${version} cluster (postmaster pid ${postmaster}) at ${cluster.url.replace(/:[^:@/]*@/, ':***@')}`);
  return {
    settings: BENCH_SETTINGS,
    version,
    database: async (name) => {
      await admin(cluster.url, `drop database if exists ${name} with (force)`);
      await admin(cluster.url, `create database ${name}`);
      return withDatabase(cluster.url, name);
    },
    cpuSeconds: () => procCpu(postmaster, true) + childrenOf(postmaster).reduce((sum, pid) => sum + procCpu(pid, false), 0),
  };
}

/** `cli.js seed:large` into an empty PostgreSQL database (development mode: the CLI refuses benchmark data in production). */
export async function seedLargePostgres(o: { url: string; contracts: number; pepper: string }): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const stdout = await runNode('src/cli.js', ['seed:large', '--contracts', String(o.contracts)], {
    ...process.env, NODE_ENV: 'development', DATABASE_URL: o.url, PASSWORD_PEPPER: o.pepper, BCRYPT_COST: '4', LOG_LEVEL: 'warn',
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, summary: stdout.trim().split('\n').pop() ?? '' };
}

/** The app as in production on the PostgreSQL database (its DATABASE_FILE is not used). */
export async function startAppOnPostgres(o: { url: string; dbFile: string; pepper: string }): Promise<Child> {
  const app = await startApp({ dbFile: o.dbFile, pepper: o.pepper, env: { DATABASE_URL: o.url } });
  out(`app on PostgreSQL (production, pid ${app.pid}) at ${app.url}`);
  return app;
}

export const pgSeedLine = (seed: SeedResult) => `${seed.summary}; whole command ${fmt(seed.seconds, 1)} s`;
