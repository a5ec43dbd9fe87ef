import type { Dataset, DatasetRow } from './dataset.js';
import type { LoadPoint } from './load-points.js';
import type { Scenario } from './schema.js';
import { TTS_STANDARD_DATASET, wordCount } from './standard-texts.js';

/** A load point that benchmarks one dataset row alone (a standard text), with its own one-row dataset. */
export interface TextLoadPoint extends LoadPoint {
  dataset?: Dataset;
  text?: { name: string; words: number };
}

/** The seed's protocol: 5 warmup runs, 20 measured, per text. */
export const SEED_WARMUP_REQUESTS = 5;
export const SEED_MEASURE_REQUESTS = 20;

/**
 * With `dataset.each` (the default for `tts-standard`), every row becomes its own load
 * point per base point, labelled with its name and word count, so each text is measured and
 * reported separately. For `tts-standard`, an unset request count and warmup take the seed's
 * 20 and 5.
 */
export function pointsPerText(points: LoadPoint[], scenario: Scenario, raw: Record<string, unknown>, dataset: Dataset | undefined): TextLoadPoint[] {
  const spec = scenario.dataset;
  const builtin = spec?.path === TTS_STANDARD_DATASET;
  if (!spec || !dataset?.rows || !(spec.each ?? builtin)) return points;
  if (builtin) {
    const rawLoad = (raw.load ?? {}) as Record<string, unknown>;
    const rawPhases = (raw.phases ?? {}) as Record<string, unknown>;
    const setCount = rawLoad.requests !== undefined || rawLoad.duration !== undefined;
    if (!setCount) for (const p of points) if (p.load.duration === undefined) p.load.requests = SEED_MEASURE_REQUESTS;
    if (rawPhases.warmup === undefined) scenario.phases.warmup = { requests: SEED_WARMUP_REQUESTS, sequential: false };
  }
  const rows = dataset.rows;
  return points.flatMap((p) =>
    rows.map((row, i) => {
      const text = textOf(row, i);
      const label = `${text.name} (${text.words} words)${points.length > 1 ? ` ${p.label}` : ''}`;
      return { ...p, load: { ...p.load }, label, text, dataset: { size: 1, rowFor: () => row, rows: [row] } };
    }),
  );
}

function textOf(row: DatasetRow, i: number): { name: string; words: number } {
  const body = row.text ?? row.input ?? row.prompt;
  const words = typeof row.words === 'number' ? row.words : typeof body === 'string' ? wordCount(body) : 0;
  return { name: typeof row.name === 'string' ? row.name : `row ${i + 1}`, words };
}
