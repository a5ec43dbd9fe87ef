import { RedactedFileWriter } from '../results/redacting-sinks.js';
import type { ConfigProblem } from '../model/config-error.js';
import type { Results } from '../model/results.js';
import type { LiveStats, SecondSnapshot } from '../live/live-stats.js';
import { secondSeries, summarySeries, type SeriesLabels } from './prometheus-series.js';
import { sendWriteRequest, type TimeSeries } from './remote-write.js';

/** `--export prometheus-rw=URL` or `--export ndjson=PATH|-`. */
export type ExportSpec = { kind: 'prometheus-rw'; url: URL } | { kind: 'ndjson'; path: string };

export const EXPORT_KINDS = ['prometheus-rw', 'ndjson'] as const;

/** Parses every `--export` value; all problems at once, each naming the value and the fix. */
export function parseExports(values: readonly string[], where = '--export'): { specs: ExportSpec[]; problems: ConfigProblem[] } {
  const specs: ExportSpec[] = [];
  const problems: ConfigProblem[] = [];
  for (const value of values) {
    const i = value.indexOf('=');
    const kind = i > 0 ? value.slice(0, i) : value;
    const arg = i > 0 ? value.slice(i + 1) : '';
    if (kind === 'prometheus-rw') {
      let url: URL | undefined;
      try {
        url = new URL(arg);
      } catch {
        url = undefined;
      }
      if (!url || !/^https?:$/.test(url.protocol)) problems.push({ path: where, message: `prometheus-rw needs the receiver's URL, e.g. prometheus-rw=http://localhost:9090/api/v1/write (Prometheus started with --web.enable-remote-write-receiver)` });
      else specs.push({ kind, url });
    } else if (kind === 'ndjson') {
      if (!arg) problems.push({ path: where, message: 'ndjson needs a file or - for standard output, e.g. ndjson=live.ndjson' });
      else specs.push({ kind, path: arg });
    } else {
      problems.push({ path: where, message: `unknown export ${JSON.stringify(kind)}; use prometheus-rw=URL or ndjson=PATH|-` });
    }
  }
  if (specs.filter((s) => s.kind === 'ndjson' && s.path === '-').length > 1) problems.push({ path: where, message: 'ndjson=- can be given once' });
  return { specs, problems };
}

/** The URL as it may be printed: no user or password. */
export function shownUrl(url: URL): string {
  const u = new URL(url);
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  return u.href;
}

export interface RunExports {
  /** Stops the ticker, exports the seconds still open and the final summaries, and returns warnings for the user. */
  finish(results: Results | undefined): Promise<string[]>;
}

const TICK_MS = 1000;
/** Consecutive failed writes after which a receiver is given up on for the rest of the run. */
const GIVE_UP_AFTER = 10;

/**
 * Streams the run's closed seconds to every export while it goes (once a second), then the
 * final summaries. Writes to a receiver go one at a time; a slow or failing receiver never
 * delays the load, and its failures are reported, with the URL and cause, when the run ends.
 */
/** `opts.stdout` takes `ndjson=-` (the CLI passes its own, redacted stdout: a library never prints). */
export function startExports(specs: readonly ExportSpec[], stats: LiveStats, labels: SeriesLabels, opts: { redact?: (text: string) => string; stdout?: { write(text: string): unknown } } = {}): RunExports {
  // Secrets never leave in an export: every line and label value passes the run's redaction.
  const redact = opts.redact ?? ((text: string) => text);
  const sinks = specs.map((spec) => (spec.kind === 'ndjson' ? new NdjsonSink(spec.path, opts.stdout, redact) : new RemoteWriteSink(spec.url, labels, redact)));
  const tick = () => {
    const seconds = stats.closedSeconds();
    if (seconds.length) for (const sink of sinks) sink.seconds(seconds);
  };
  const timer = setInterval(tick, TICK_MS);
  timer.unref();
  return {
    async finish(results) {
      clearInterval(timer);
      const rest = stats.closedSeconds(true);
      for (const sink of sinks) {
        if (rest.length) sink.seconds(rest);
        if (results) sink.summary(results);
      }
      return (await Promise.all(sinks.map((s) => s.close()))).flat();
    },
  };
}

interface Sink {
  seconds(seconds: SecondSnapshot[]): void;
  summary(results: Results): void;
  close(): Promise<string[]>;
}

/** One JSON object per line: `{"type":"second",...}` per closed second, then `{"type":"summary",...}` per load point. */
class NdjsonSink implements Sink {
  /** A file (through the redacting sink) or stdout. */
  private readonly out: { write(text: string): void };
  private readonly file?: RedactedFileWriter;
  private error?: string;

  constructor(
    private readonly path: string,
    stdout: { write(text: string): unknown } | undefined,
    private readonly redact: (text: string) => string,
  ) {
    if (path === '-') this.out = stdout ?? { write: () => (this.error ??= 'no standard output to write to (give a file)') };
    else {
      let file: RedactedFileWriter | undefined;
      try {
        file = new RedactedFileWriter(path);
      } catch (err) {
        this.error = (err as Error).message;
      }
      this.file = file;
      // An unwritable file costs the export, never the run: it is reported when the run ends.
      this.out = {
        write: (text) => {
          if (this.error || !file) return;
          try {
            file.write(text);
          } catch (err) {
            this.error = (err as Error).message;
          }
        },
      };
    }
  }

  seconds(seconds: SecondSnapshot[]): void {
    this.out.write(this.redact(seconds.map((s) => JSON.stringify({ type: 'second', at: new Date(s.atEpochMs).toISOString(), ...s })).join('\n')) + '\n');
  }

  summary(results: Results): void {
    const lines = results.points.map((p) =>
      JSON.stringify({
        type: 'summary',
        at: results.endedAt,
        run: results.name,
        point: p.label,
        counts: p.measure.counts,
        throughput: p.measure.throughput,
        durationMs: p.measure.durationMs,
        metrics: Object.fromEntries(Object.entries(p.measure.metrics).map(([name, m]) => [name, { unit: m.unit, ...m.summary }])),
      }),
    );
    if (lines.length) this.out.write(this.redact(lines.join('\n')) + '\n');
  }

  async close(): Promise<string[]> {
    this.file?.close();
    return this.error ? [`export ndjson=${this.path}: ${this.error}`] : [];
  }
}

class RemoteWriteSink implements Sink {
  private chain: Promise<void> = Promise.resolve();
  private writes = 0;
  private failures = 0;
  private consecutive = 0;
  private lastCause?: string;

  constructor(
    private readonly url: URL,
    private readonly labels: SeriesLabels,
    private readonly redact: (text: string) => string,
  ) {}

  seconds(seconds: SecondSnapshot[]): void {
    this.enqueue(secondSeries(seconds, this.labels));
  }

  summary(results: Results): void {
    this.enqueue(summarySeries(results, this.labels));
  }

  private enqueue(series: TimeSeries[]): void {
    if (!series.length) return;
    for (const s of series) for (const k of Object.keys(s.labels)) s.labels[k] = this.redact(s.labels[k]!);
    this.chain = this.chain.then(async () => {
      if (this.consecutive >= GIVE_UP_AFTER) return;
      this.writes++;
      const cause = await sendWriteRequest(this.url, series);
      if (cause === undefined) this.consecutive = 0;
      else {
        this.failures++;
        this.consecutive++;
        this.lastCause = cause;
      }
    });
  }

  async close(): Promise<string[]> {
    await this.chain;
    if (!this.failures) return [];
    const gaveUp = this.consecutive >= GIVE_UP_AFTER ? `; gave up after ${GIVE_UP_AFTER} failures in a row` : '';
    return [`export prometheus-rw ${shownUrl(this.url)}: ${this.failures} of ${this.writes} writes failed (last: ${this.lastCause})${gaveUp}`];
  }
}
