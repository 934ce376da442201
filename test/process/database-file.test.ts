// A database file that cannot be opened stops the start with one line naming it: exit code 1, no stack trace.
// Runs in the e2e project (after the build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '..', '..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-dbfile-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (script: string, file: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'src', script), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: '0', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'info' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('a database that cannot be opened', () => {
  it('stops the server with one line naming the file when its folder is a regular file', () => {
    fs.writeFileSync(path.join(dir, 'plain'), 'not a folder');
    const file = path.join(dir, 'plain', 'k.sqlite');
    const r = run('server.js', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^kabinet: cannot open the database ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: [^\\n]+\\n$`));
    expect(r.stdout).toBe('');
  });

  it('stops the server with one line when the path is a folder (SQLITE_CANTOPEN)', () => {
    const r = run('server.js', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`kabinet: cannot open the database ${dir}: SQLITE_CANTOPEN unable to open database file\n`);
  });

  it('stops the server with one line when the file is not a database (SQLITE_NOTADB)', () => {
    const file = path.join(dir, 'k.sqlite');
    fs.writeFileSync(file, 'this is a text file, not an SQLite database; '.repeat(100));
    const r = run('server.js', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^kabinet: cannot open the database .*k\.sqlite: SQLITE_NOTADB file is not a database\n$/);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^this is a text file/); // left as it was
  });

  it('stops a CLI command the same way', () => {
    const r = run('cli.js', dir, 'migrate');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: cannot open the database ${dir}: SQLITE_CANTOPEN unable to open database file\n`);
  });
});
