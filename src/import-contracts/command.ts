// `kabinet import-contracts FILE.csv [--dry-run] [--passwords-out FILE]` (docs/import-contracts.md). Prints what it
// found and did; the first passwords go only to the passwords file (mode 0600, never overwritten), never to the output.
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context';
import { dayOf } from '../lib/dates';
import { checkFile, importRows, type Imported } from './service';

export const IMPORT_USAGE = 'usage: import-contracts FILE.csv [--dry-run] [--passwords-out FILE]';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** number;name;password with a BOM (a spreadsheet opens it in UTF-8), for printing the letters to subscribers. */
const passwordsCsv = (rows: Imported[]) =>
  '\ufeffnumber;name;password\n' + rows.map((r) => [r.number, `"${r.name.replace(/"/g, '""')}"`, r.password].join(';')).join('\n') + '\n';

/** Runs the command; the exit code (0 done, 1 errors: nothing imported). */
export async function importContractsCommand(ctx: AppContext, args: string[], out: (line: string) => void): Promise<number> {
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--passwords-out');
  if (!file) throw new Error(IMPORT_USAGE);
  const bytes = fs.readFileSync(file);
  const dryRun = args.includes('--dry-run');
  const checked = await checkFile(ctx, bytes);
  out(`${path.basename(file)}: ${checked.encoding}, ${checked.rows.length} rows ready, ${checked.errors.length} errors`);
  for (const e of checked.errors) out(e);
  if (checked.errors.length) {
    out('nothing imported: correct the file and run again');
    return 1;
  }
  if (dryRun) {
    out(`dry run: ${checked.rows.length} contracts would be imported; nothing written`);
    return 0;
  }
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  const passwordsFile = option(args, '--passwords-out') ?? path.join(path.dirname(path.resolve(file)), `import-passwords-${today}.csv`);
  // Opened before the import ('wx': refused when it exists), so the passwords have a place before any contract does.
  let fd: number;
  try {
    fd = fs.openSync(passwordsFile, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${passwordsFile} exists: it is never overwritten (move it away, or give --passwords-out another file)`);
    throw err;
  }
  try {
    const imported = await importRows(ctx, checked.rows, path.basename(file));
    fs.writeSync(fd, passwordsCsv(imported));
    fs.closeSync(fd);
    out(`imported ${imported.length} contracts; their first passwords are in ${passwordsFile} (mode 0600): print them, then delete the file`);
    return 0;
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(passwordsFile, { force: true });
    throw err;
  }
}
