import type { PhaseResult, Results } from '../model/results.js';
import { PALETTE, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { FAMILY_VIEWS } from './family-view.js';

/**
 * A sweep as curves against what it achieved: each load point placed at its measured
 * throughput on a numeric axis (not at its label), so a latency knee shows where it is. One
 * line per run and statistic. Kept in its own file: the LLM view adds its own curves here.
 */

interface Curve {
  id: string;
  title: string;
  yLabel: string;
  /** One line per statistic. */
  stats: { label: string; of: (p: PhaseResult) => number | undefined }[];
}

const percentiles = (metric: string, which: ('p50' | 'p95' | 'p99')[]) =>
  which.map((stat) => ({ label: stat, of: (p: PhaseResult) => (p.metrics[metric]?.summary.count ? p.metrics[metric]!.summary[stat] : undefined) }));

/** What a point achieved, as the x of its curves: frames/s for frame targets, ok requests/s for the rest. */
const X_AXES: { id: string; label: string; of: (p: PhaseResult) => number | undefined }[] = [
  { id: 'fps', label: 'achieved frames/s', of: (p) => (p.family === 'frames' ? p.throughput.framesPerSecond : undefined) },
  { id: 'rps', label: 'achieved throughput (ok requests/s)', of: (p) => p.throughput.requestsPerSecond },
];

function curvesFor(phases: PhaseResult[]): Curve[] {
  const metrics = [...new Set(phases.flatMap((p) => FAMILY_VIEWS[p.family].distributions))];
  const unitOf = (m: string) => phases.find((p) => p.metrics[m])?.metrics[m]?.unit ?? 'ms';
  return [
    ...metrics.map((m) => ({ id: m, title: `${m} against throughput`, yLabel: `${m} (${unitOf(m)})`, stats: percentiles(m, ['p50', 'p95', 'p99']) })),
    { id: 'goodput', title: 'goodput against throughput', yLabel: 'requests/s meeting every SLO', stats: [{ label: 'goodput', of: (p) => p.goodput?.requestsPerSecond }] },
    { id: 'token-throughput', title: 'output tokens/s against throughput', yLabel: 'output tokens/s', stats: [{ label: 'output tokens/s', of: (p) => p.throughput.outputTokensPerSecond }] },
    { id: 'error-rate', title: 'error rate against throughput', yLabel: 'failed / sent (%)', stats: [{ label: 'error rate', of: (p) => (p.counts.sent ? (100 * p.counts.failed) / p.counts.sent : undefined) }] },
  ];
}

/** Curves against achieved throughput for every run with more than one load point. */
export function throughputCurves(runs: { name: string; results: Results }[]): ChartSpec[] {
  const swept = runs.filter((r) => r.results.points.length > 1);
  if (!swept.length) return [];
  const phases = swept.flatMap((r) => r.results.points.map((p) => p.measure));
  const out: ChartSpec[] = [];
  const axis = X_AXES.find((a) => phases.every((p) => a.of(p) !== undefined))!;
  {
    // Points sorted by what they achieved; runs share one x axis, each run's line joins its own points.
    const xs = [...new Set(phases.map((p) => axis.of(p)!))].sort((a, b) => a - b);
    for (const curve of curvesFor(phases)) {
      const series = swept.flatMap((run, ri) =>
        curve.stats.map((stat, si) => ({
          name: swept.length > 1 ? `${run.name} ${stat.label}` : stat.label,
          color: PALETTE[(swept.length > 1 ? ri : si) % PALETTE.length],
          dash: swept.length > 1 && si > 0,
          values: xs.map((x) => {
            const point = run.results.points.find((p) => axis.of(p.measure) === x);
            return point ? (stat.of(point.measure) ?? null) : null;
          }),
        })),
      );
      // A curve with nothing to show (no failures anywhere) is left out.
      if (!series.some((s) => s.values.some((v) => v !== null && v !== 0))) continue;
      out.push({
        id: `sweep-${curve.id}-by-${axis.id}`,
        title: curve.title,
        note: 'one point per load point, placed at the throughput it achieved',
        x: { label: axis.label, values: xs },
        y: { label: curve.yLabel },
        series,
        spanGaps: true,
      });
    }
  }
  const offered = offeredChart(swept);
  if (offered) out.push(offered);
  return out;
}

/** The rate an open-loop point was offered (closed-loop points have none). */
function offeredRate(point: Results['points'][number]): number | undefined {
  return point.load.mode === 'rate' && typeof point.load.rate === 'number' ? point.load.rate : undefined;
}

/**
 * What each point achieved against what it was offered: the offered rate of open-loop points
 * (keeping up is the diagonal), else the concurrency of closed-loop ones.
 */
function offeredChart(swept: { name: string; results: Results }[]): ChartSpec | undefined {
  const byRate = swept.some((r) => r.results.points.some((p) => offeredRate(p) !== undefined));
  const offeredOf = (point: Results['points'][number]) => (byRate ? offeredRate(point) : typeof point.load.concurrency === 'number' ? point.load.concurrency : undefined);
  const xs = [...new Set(swept.flatMap((r) => r.results.points.map(offeredOf)).filter((x): x is number => x !== undefined))].sort((a, b) => a - b);
  if (xs.length < 2) return undefined;
  const series: ChartSeries[] = swept.map((run, ri) => ({
    name: swept.length > 1 ? `${run.name} achieved` : 'achieved',
    color: PALETTE[ri % PALETTE.length],
    values: xs.map((x) => run.results.points.find((p) => offeredOf(p) === x)?.measure.throughput.requestsPerSecond ?? null),
  }));
  if (byRate) series.push({ name: 'offered (keeping up)', color: '#9ca3af', values: xs, dash: true });
  return {
    id: 'sweep-achieved-by-offered',
    title: byRate ? 'achieved against offered requests/s' : 'achieved requests/s against concurrency',
    note: byRate ? 'open-loop points at their offered rate (closed-loop stages are left out); a point under the diagonal did not keep up' : 'closed-loop points by their concurrency',
    x: { label: byRate ? 'offered requests/s' : 'concurrency', values: xs },
    y: { label: 'achieved requests/s' },
    series,
    spanGaps: true,
  };
}
