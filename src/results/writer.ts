import { upgradeResults } from './upgrade.js';
import { RESULTS_SCHEMA_VERSION } from '../model/results.js';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resultsSchema } from './schema.js';
import type { Results } from '../model/results.js';

/**
 * `<name>_<YYYYMMDD_HHMMSS>.json`, with the time in UTC so names sort the same on every
 * machine and never repeat or jump at daylight-saving changes. Characters that are unsafe
 * in file names become `_`.
 */
export function resultsFileName(name: string, startedAt: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = startedAt;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'results';
  return `${safe}_${stamp}.json`;
}

/**
 * Writes results so a reader never sees half a file, even if the process dies mid-write:
 * a temp file in the same directory (same file system, so rename is atomic), fsync, rename.
 */
export async function writeResultsAtomic(path: string, results: Results): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx');
  try {
    await file.writeFile(`${JSON.stringify(results, null, 2)}\n`);
    await file.sync();
    await file.close();
    await rename(tmp, path);
  } catch (err) {
    await file.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  // Make the rename itself durable; some platforms cannot fsync a directory, which is fine.
  const d = await open(dir, 'r').catch(() => undefined);
  await d?.sync().catch(() => {});
  await d?.close();
}

/** A results file that cannot be read or does not match the results schema. */
export class ResultsFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

const SHOWN_PROBLEMS = 5;

/** The path that names standard input, as in `inferbench run --json | inferbench report -`. */
export const STDIN = '-';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('standard input is a terminal; pipe a results file in, e.g. inferbench run --json ... | inferbench report -');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and validates a results file (`-`: standard input, for pipes); errors name the file and its first problems. */
export async function readResults(path: string): Promise<Results> {
  const name = path === STDIN ? '(standard input)' : path;
  let text: string;
  try {
    text = path === STDIN ? await readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    throw new ResultsFileError(path, `cannot read results file ${name}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(path, `results file ${name} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = resultsSchema.safeParse(upgradeResults(json));
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const lines = issues.slice(0, SHOWN_PROBLEMS).map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    if (issues.length > SHOWN_PROBLEMS) lines.push(`  ... and ${issues.length - SHOWN_PROBLEMS} more`);
    const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
    const hint = version !== undefined && version !== 1 && version !== RESULTS_SCHEMA_VERSION ? ` (it has schemaVersion ${JSON.stringify(version)}; this inferbench reads 1 and ${RESULTS_SCHEMA_VERSION})` : '';
    throw new ResultsFileError(path, `results file ${name} is not an inferbench results file${hint}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
