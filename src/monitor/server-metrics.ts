import { createRequire } from 'node:module';
import type { ServerMetricsPhase } from '../model/results.js';

/**
 * Scrapes a Prometheus text endpoint (vLLM, TGI, Triton, our reference server) before,
 * during and after a phase. Counters (and histogram/summary counts and sums) are reported
 * as before → after deltas; gauges as min/mean/max/last over the scrapes. Series of one
 * metric are summed over their label sets (vLLM labels everything with model_name).
 * Parsing: parse-prometheus-text-format.
 */
interface Family {
  name: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; count?: string; sum?: string }[];
}

type Scrape = { counters: Map<string, number>; gauges: Map<string, number> };

export function parsePrometheusText(text: string): Scrape {
  // Loaded on the first scrape: runs without a server_metrics monitor never load it.
  const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => unknown;
  const families = parse(text) as Family[];
  const counters = new Map<string, number>();
  const gauges = new Map<string, number>();
  const add = (map: Map<string, number>, name: string, v: unknown) => {
    const n = Number(v);
    if (Number.isFinite(n)) map.set(name, (map.get(name) ?? 0) + n);
  };
  for (const f of families) {
    for (const m of f.metrics) {
      if (f.type === 'COUNTER') add(counters, f.name, m.value);
      else if (f.type === 'GAUGE' || f.type === 'UNTYPED') add(gauges, f.name, m.value);
      else {
        add(counters, `${f.name}_count`, m.count);
        add(counters, `${f.name}_sum`, m.sum);
      }
    }
  }
  return { counters, gauges };
}

export interface ServerMetricsOptions {
  url: string;
  /** Metric names to report; empty: every counter that moved and every gauge. */
  metrics: string[];
  intervalMs: number;
}

const MAX_UNNAMED = 40;
const SCRAPE_TIMEOUT_MS = 5000;

export interface ServerMetricsScraper {
  /** The scrape taken before the phase (resolves on failure too). */
  ready: Promise<unknown>;
  stop(): Promise<{ stats?: ServerMetricsPhase; note?: string }>;
}

export function startServerMetrics(opts: ServerMetricsOptions): ServerMetricsScraper {
  let scrapes = 0;
  let failed = 0;
  let lastError: string | undefined;
  const gaugeSamples = new Map<string, number[]>();
  const startedMs = performance.now();
  const scrape = async (): Promise<Scrape | undefined> => {
    try {
      const res = await fetch(opts.url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const parsed = parsePrometheusText(await res.text());
      scrapes++;
      for (const [name, v] of parsed.gauges) {
        if (opts.metrics.length && !opts.metrics.includes(name)) continue;
        let list = gaugeSamples.get(name);
        if (!list) gaugeSamples.set(name, (list = []));
        list.push(v);
      }
      return parsed;
    } catch (err) {
      failed++;
      const e = err as Error & { cause?: { message?: string } };
      lastError = e.cause?.message ?? e.message;
      return undefined;
    }
  };
  const before = scrape();
  let inFlight: Promise<unknown> = before;
  const timer = setInterval(() => {
    inFlight = inFlight.then(scrape);
  }, opts.intervalMs);
  timer.unref();
  return {
    ready: before,
    async stop() {
      clearInterval(timer);
      await inFlight;
      const first = await before;
      const last = await scrape();
      const elapsedS = (performance.now() - startedMs) / 1000;
      if (!first || !last) {
        return { note: `--server-metrics: cannot scrape ${opts.url}: ${lastError ?? 'no answer'} (the run went on without server metrics)` };
      }
      const counters: ServerMetricsPhase['counters'] = {};
      const names = opts.metrics.length ? opts.metrics : [...last.counters.keys()].filter((n) => last.counters.get(n) !== first.counters.get(n));
      for (const name of names.slice(0, opts.metrics.length || MAX_UNNAMED)) {
        const after = last.counters.get(name);
        if (after === undefined) continue;
        const b = first.counters.get(name) ?? 0;
        counters[name] = { before: b, after, delta: after - b, perSecond: elapsedS > 0 ? (after - b) / elapsedS : 0 };
      }
      const gauges: ServerMetricsPhase['gauges'] = {};
      for (const [name, list] of [...gaugeSamples].slice(0, opts.metrics.length || MAX_UNNAMED)) {
        gauges[name] = { min: Math.min(...list), mean: list.reduce((a, b) => a + b, 0) / list.length, max: Math.max(...list), last: list[list.length - 1]! };
      }
      const missing = opts.metrics.filter((n) => !(n in counters) && !(n in gauges));
      return {
        stats: { url: opts.url, scrapes, failedScrapes: failed, counters, gauges },
        note: missing.length ? `--server-metrics: ${opts.url} has no metric named ${missing.join(', ')}` : undefined,
      };
    },
  };
}
