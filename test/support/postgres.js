// A throwaway PostgreSQL cluster for the tests and the bench: initdb into a temp folder, started on a free local
// port with its socket in that folder; nothing else on the machine is touched. Stopped and deleted at the end.
// Or, with KABINET_TEST_DATABASE_URL set, an existing server (its database is where test databases get created).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** The test cluster's password for the user kabinet (a throwaway cluster on 127.0.0.1 only). */
const PASSWORD = 'kabinet-test';

/** The folder with initdb and pg_ctl: KABINET_PG_BIN, pg_config --bindir, or Debian's newest /usr/lib/postgresql/N/bin. */
function pgBinDir() {
  const candidates = [];
  if (process.env.KABINET_PG_BIN) candidates.push(process.env.KABINET_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    /* no pg_config */
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, set KABINET_PG_BIN, or point KABINET_TEST_DATABASE_URL at an existing server');
  }
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root: as root the cluster belongs to the 'postgres' user Debian's package creates. */
function runAs() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error("running as root, and there is no 'postgres' user to own the test cluster (apt-get install postgresql creates it)");
  return { user: 'postgres', uid: Number(r.stdout.trim()), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) };
}

function run(bin, args, owner, opts = {}) {
  const r = owner
    ? spawnSync('runuser', ['-u', owner.user, '--', bin, ...args], { encoding: 'utf8', ...opts })
    : spawnSync(bin, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * Starts a cluster; returns { url, stop, dir }. The url's database is 'postgres' (the admin database).
 * `settings` ('name=value') come after the test settings and win over them (the bench turns fsync back on).
 */
async function startCluster({ settings = [] } = {}) {
  const bin = pgBinDir();
  const owner = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-pg-'));
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  // A password over TCP, as in production (the tests of a wrong password need one); trust on the local socket.
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${PASSWORD}\n`);
  if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'kabinet', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'], owner);
  const port = await freePort();
  // Durability off: a test cluster that crashes is thrown away anyway, and fsync on a busy CI disk costs minutes.
  const options = [
    `-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", '-c fsync=off', '-c synchronous_commit=off',
    '-c full_page_writes=off', '-c max_connections=400', '-c shared_buffers=128MB', ...settings.map((x) => `-c ${x}`),
  ].join(' ');
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start'], owner);
  const stop = () => {
    try {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], owner, { stdio: 'pipe' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgres://kabinet:${PASSWORD}@127.0.0.1:${port}/postgres`, stop, dir };
}

/** The URL of another database on the same server. */
function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

module.exports = { startCluster, withDatabase, pgBinDir };
