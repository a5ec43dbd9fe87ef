import { upgradeResults } from './upgrade.js';
import { RESULTS_SCHEMA_VERSION } from '../model/results.js';
import { readFile } from 'node:fs/promises';
import type { Redactor } from '../model/redact.js';
import { writeRedactedFile } from './redacting-sinks.js';
import { resultsSchema } from './schema.js';
import { MetricHistogram } from '../stats/histogram.js';
import type { Results } from '../model/results.js';
import { SCALE_BY_UNIT } from '../model/metrics.js';

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
 * Writes results so a reader never sees half a file, even if the process dies mid-write
 * (atomic: temp file, fsync, rename), through the redacting sink: no secret reaches the file.
 */
export async function writeResultsAtomic(path: string, results: Results, redactor?: Redactor): Promise<void> {
  await writeRedactedFile(path, `${JSON.stringify(results, null, 2)}\n`, redactor, { atomic: true });
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
  const problems = consistencyProblems(parsed.data);
  if (problems.length) {
    const lines = problems.slice(0, SHOWN_PROBLEMS).map((p) => `  - ${p}`);
    if (problems.length > SHOWN_PROBLEMS) lines.push(`  ... and ${problems.length - SHOWN_PROBLEMS} more`);
    throw new ResultsFileError(path, `results file ${path} is inconsistent (edited by hand or damaged?):\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * What the schema cannot say: every request sent ended with exactly one outcome
 * (sent = completed = ok + failed = the outcomes' sum), and every histogram decodes. A file that
 * breaks either would make merge, compare and report print numbers that mean nothing.
 */
export function consistencyProblems(r: Results): string[] {
  const problems: string[] = [];
  r.points.forEach((p, i) => {
    const at = `points[${i}] (${p.label})`;
    const c = p.measure.counts;
    if (c.ok + c.failed !== c.completed) problems.push(`${at}.measure.counts: ok ${c.ok} + failed ${c.failed} is not completed ${c.completed}`);
    if (c.completed !== c.sent) problems.push(`${at}.measure.counts: completed ${c.completed} is not sent ${c.sent} (every request sent ends with one outcome)`);
    const outcomes = Object.values(c.byOutcome).reduce((a, b) => a + b, 0);
    if (outcomes !== c.completed) problems.push(`${at}.measure.counts.byOutcome: the outcomes add up to ${outcomes}, not completed ${c.completed}`);
    if (p.warmup && p.warmup.ok + p.warmup.failed !== p.warmup.sent) problems.push(`${at}.warmup: ok ${p.warmup.ok} + failed ${p.warmup.failed} is not sent ${p.warmup.sent}`);
    for (const [name, m] of Object.entries(p.measure.metrics)) {
      try {
        MetricHistogram.decode(m.histogram, m.scale);
      } catch (err) {
        problems.push(`${at}.measure.metrics.${name}.histogram: not an HDR histogram (${(err as Error).message})`);
      }
    }
    p.measure.series.latencyHistograms.forEach((h, sec) => {
      if (h === null) return;
      try {
        MetricHistogram.decode(h, SCALE_BY_UNIT.ms);
      } catch (err) {
        problems.push(`${at}.measure.series.latencyHistograms[${sec}]: not an HDR histogram (${(err as Error).message})`);
      }
    });
  });
  return problems;
}
