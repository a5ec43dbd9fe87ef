/**
 * Combines the partial results of one scenario run as n segments (`--segment i/n`, on several
 * machines or pods) into the results one machine would have produced: histograms, counts and
 * series add exactly (Recorder.merge). Parts are checked first: one scenario, one segment
 * count, every segment exactly once; every problem is reported at once.
 */
import { formatSegment } from '../load/share.js';
import { Recorder } from '../measure/recorder.js';
import { RESULTS_SCHEMA_VERSION, type LoadPointResult, type Results } from '../model/results.js';

export interface ResultsPart {
  /** Where the part came from (a file path), for messages. */
  source: string;
  results: Results;
}

/** Parts that cannot be merged; `problems` lists every reason, one sentence each. */
export class MergeError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot merge these results:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MergeError';
  }
}

export function mergeSegmentParts(parts: ResultsPart[], options: { commandLine?: string[] } = {}): Results {
  checkParts(parts);
  const sorted = [...parts].sort((a, b) => a.results.segment!.index - b.results.segment!.index);
  const first = sorted[0]!.results;
  const all = sorted.map((p) => p.results);
  const points: LoadPointResult[] = first.points.map((point, i) => {
    const same = all.map((r) => r.points[i]!);
    const merged: LoadPointResult = { label: point.label, load: point.load, measure: Recorder.merge(same.map((p) => p.measure)) };
    if (point.target) merged.target = point.target;
    if (point.step) merged.step = point.step;
    if (point.text) merged.text = point.text;
    if (point.stages) {
      merged.stages = point.stages.map((stage, k) => ({ ...stage, measure: Recorder.merge(same.map((p) => p.stages![k]!.measure)) }));
    }
    const warmups = same.map((p) => p.warmup).filter((w) => w !== undefined);
    if (warmups.length) {
      merged.warmup = {
        sent: warmups.reduce((a, w) => a + w.sent, 0),
        ok: warmups.reduce((a, w) => a + w.ok, 0),
        failed: warmups.reduce((a, w) => a + w.failed, 0),
        durationMs: Math.max(...warmups.map((w) => w.durationMs)),
      };
    }
    return merged;
  });
  const startedAtEpochMs = Math.min(...all.map((r) => r.startedAtEpochMs));
  const interrupted = all.filter((r) => r.interrupted);
  const out: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: first.tool,
    name: first.name,
    startedAt: new Date(startedAtEpochMs).toISOString(),
    startedAtEpochMs,
    endedAt: all.map((r) => r.endedAt).sort().at(-1)!,
    commandLine: options.commandLine ?? first.commandLine,
    host: first.host,
    scenario: first.scenario,
    interrupted: interrupted.length > 0,
    warnings: sorted.flatMap((p) => p.results.warnings.map((w) => `segment ${formatSegment(p.results.segment!)}: ${w}`)),
    mergedFrom: { parts: sorted.length, files: sorted.map((p) => p.source) },
    points,
  };
  if (first.gitSha) out.gitSha = first.gitSha;
  if (first.runId) out.runId = first.runId;
  const setups = all.map((r) => r.setup ?? []);
  if (setups.some((s) => s.length)) {
    out.setup = setups[0]!.map((s, i) => ({
      step: s.step,
      sent: setups.reduce((a, p) => a + (p[i]?.sent ?? 0), 0),
      ok: setups.reduce((a, p) => a + (p[i]?.ok ?? 0), 0),
      failed: setups.reduce((a, p) => a + (p[i]?.failed ?? 0), 0),
      durationMs: Math.max(...setups.map((p) => p[i]?.durationMs ?? 0)),
    }));
  }
  if (interrupted.length) out.interruptReason = interrupted.map((r) => `segment ${formatSegment(r.segment!)}: ${r.interruptReason ?? 'interrupted'}`).join('; ');
  const hosts = new Set(all.map((r) => r.host.hostname));
  if (hosts.size > 1) out.warnings.push(`parts ran on ${hosts.size} hosts (${[...hosts].join(', ')}); host shows the first`);
  return out;
}

function checkParts(parts: ResultsPart[]): void {
  if (parts.length === 0) throw new MergeError(['no parts given: pass the part files, e.g. inferbench merge part-*.json -o results.json']);
  const problems: string[] = [];
  const unmarked = parts.filter((p) => !p.results.segment);
  for (const p of unmarked) problems.push(`${p.source} is not a segment part (it has no "segment"; parts come from inferbench run --segment i/n)`);
  const marked = parts.filter((p) => p.results.segment);
  if (marked.length === 0) throw new MergeError(problems);

  const reference = marked[0]!;
  const count = reference.results.segment!.count;
  for (const p of marked.slice(1)) {
    if (p.results.segment!.count !== count) {
      problems.push(`${p.source} is segment ${formatSegment(p.results.segment!)} but ${reference.source} is ${formatSegment(reference.results.segment!)}: all parts must split the run into the same number of segments`);
    }
    const diff = firstDifference(runDefinition(reference.results.scenario), runDefinition(p.results.scenario));
    if (diff !== undefined) {
      problems.push(`${p.source} is from another scenario than ${reference.source} (they differ at ${diff}); merge only the parts of one run`);
    } else if (p.results.points.map((x) => x.label).join('\n') !== reference.results.points.map((x) => x.label).join('\n')) {
      problems.push(`${p.source} has other load points than ${reference.source}; merge only the parts of one run`);
    }
  }
  const seen = new Map<number, string>();
  for (const p of marked) {
    const { index } = p.results.segment!;
    const earlier = seen.get(index);
    if (earlier !== undefined) problems.push(`segment ${index}/${count} appears twice: ${earlier} and ${p.source}; keep one`);
    else seen.set(index, p.source);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) {
    problems.push(
      `missing segment${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} (have ${[...seen.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(', ')}): every segment must be merged exactly once`,
    );
  }
  if (problems.length) throw new MergeError(problems);
}

/**
 * What defines a run, for comparing parts: the scenario without where its results were written
 * (`output`: each pod writes its own part file) and without what is only judged afterwards.
 */
const NOT_DEFINING = ['output', 'description', 'thresholds', 'targets', 'monitor'];
function runDefinition(scenario: Record<string, unknown>): Record<string, unknown> {
  const out = { ...scenario };
  for (const key of NOT_DEFINING) delete out[key];
  return out;
}

/** The path of the first value that differs between two JSON values ("load.rate (100 vs 200)"), or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  const here = path || '(the whole scenario)';
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${here} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d !== undefined) return d;
  }
  return undefined;
}
