import type { PhaseResult } from '../model/results.js';

/**
 * A chart of the HTML report as plain JSON: what to draw, not how. The page's script
 * (chart-client.ts) turns each into a uPlot chart. Every series shares the x values
 * (uPlot's aligned data); a value of null leaves a gap.
 */
export interface ChartSpec {
  id: string;
  title: string;
  /** One line under the title saying how to read the chart. */
  note?: string;
  x: ChartAxis & {
    values: number[];
    /** `percentile`: x is −log10(1 − p), ticks read 90%, 99%, 99.9%; `category`: x is an index into `categories`. */
    ticks?: 'percentile' | 'category';
    categories?: string[];
  };
  y: ChartAxis;
  series: ChartSeries[];
  /** Draw a line at y = 0 (changes). */
  zeroLine?: boolean;
  /** Join points across nulls (curves whose runs have different x values). */
  spanGaps?: boolean;
  /** CSS pixels; small multiples are shorter. */
  height?: number;
  /** Small multiples leave the legend out; their note says which line is which. */
  legend?: boolean;
}

export interface ChartAxis {
  /** Says what is counted or measured, with its unit: "gaps", "latency (ms)". */
  label: string;
  scale?: 'linear' | 'log';
  /** Fixed [min, max]; otherwise from the data (log axes would round out to whole decades). */
  range?: [number, number];
}

export interface ChartSeries {
  name: string;
  values: (number | null)[];
  kind?: 'line' | 'bars' | 'step' | 'points';
  color?: string;
  dash?: boolean;
  /** Error bars: [low, high] per x, drawn through each point. */
  intervals?: ([number, number] | null)[];
  /** Box plots: [low whisker, p25, median, p75, high whisker] per x. */
  boxes?: ([number, number, number, number, number] | null)[];
}

/** One phase drawn on a chart: a load point of a run ("concurrency=8", or "after · concurrency=8" when runs are overlaid). */
export interface ChartSource {
  name: string;
  /** The load point's label, shared by overlaid runs (small multiples group by it). */
  point: string;
  /** The run's label ("before", "after", or its name). */
  run: string;
  phase: PhaseResult;
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** What one value of a metric counts: every metric has one value per request, except the gaps between stream events. */
export function countedNoun(metric: string): string {
  return metric === 'itl' || metric === 'itl_per_token' ? 'gaps' : 'requests';
}
