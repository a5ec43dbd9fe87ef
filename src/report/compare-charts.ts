import type { RunComparison } from './compare.js';
import type { ChartSpec } from './chart-spec.js';

const VERDICT_COLOURS = { better: '#16a34a', worse: '#dc2626', other: '#6b7280' } as const;
/** Intervals are drawn within ±this many %, so one wide interval (few samples) does not flatten the rest. */
const CLIP_PERCENT = 100;
/** Failures' own latency: usually a handful of values, an interval too wide to read beside the rest. */
const LEFT_OUT = new Set(['error_latency']);

/**
 * Each change of a comparison with its interval: the change of the median in % of the
 * baseline's median, and the bootstrap 95% interval around it, one column per metric. A bar
 * that crosses the zero line is no real change.
 */
export function changeIntervalCharts(comparisons: RunComparison[]): ChartSpec[] {
  return comparisons.flatMap((c, ci) =>
    c.points.flatMap((p, pi) => {
      const rows = p.rows.filter((r) => r.interval && Number.isFinite(r.changePercent) && r.before !== 0 && !LEFT_OUT.has(r.metric));
      if (!rows.length) return [];
      const x = rows.map((_, i) => i);
      let clipped = false;
      const pct = (v: number, before: number) => {
        const x = (100 * v) / before;
        if (Math.abs(x) > CLIP_PERCENT) clipped = true;
        return Math.max(-CLIP_PERCENT, Math.min(CLIP_PERCENT, x));
      };
      const group = (which: keyof typeof VERDICT_COLOURS) => {
        const member = (verdict: string | undefined) => (which === 'other' ? verdict !== 'better' && verdict !== 'worse' : verdict === which);
        return {
          name: which === 'other' ? 'no real change / changed' : which,
          kind: 'points' as const,
          color: VERDICT_COLOURS[which],
          values: rows.map((r) => (member(r.verdict) ? r.changePercent : null)),
          intervals: rows.map((r) => (member(r.verdict) ? ([pct(r.interval!.low, r.before), pct(r.interval!.high, r.before)] as [number, number]) : null)),
        };
      };
      const series = (['worse', 'better', 'other'] as const).map(group).filter((s) => s.values.some((v) => v !== null));
      return [
        {
          id: `change-${ci}-${pi}`,
          title: `${c.before.name} → ${c.after.name} · ${p.label}: change of each median`,
          note: `dot: change of the median in % of before; bar: bootstrap 95% interval of that change; crossing zero means no real change${clipped ? `; intervals cut at ±${CLIP_PERCENT}%` : ''}`,
          x: { label: 'metric', values: x, ticks: 'category' as const, categories: rows.map((r) => r.label) },
          y: { label: 'change (%)' },
          series,
          zeroLine: true,
        } satisfies ChartSpec,
      ];
    }),
  );
}
