import type { Results } from '../model/results.js';
import { compileChecked, formatBound, formatMeasured, type Condition } from './condition.js';
import { evaluateOnPhase, type VerdictStatus } from './evaluate.js';

/**
 * Thresholds (`--threshold`, a scenario's `thresholds`, `report --threshold`): conditions every
 * load point of a run must meet, checked after the run; any failure makes the exit code 3.
 */
export interface ThresholdOutcome {
  condition: Condition;
  pointLabel: string;
  status: VerdictStatus;
  /** The measured value in the condition's unit; NaN when the phase did not measure it. */
  actual: number;
  passed: boolean;
  /** One line for humans: what was measured against what was asked. */
  message: string;
}

/** The scenario's thresholds (checked at config time) as conditions. */
export function scenarioThresholds(texts: readonly string[]): Condition[] {
  return texts.flatMap((t) => compileChecked(t, 'phase'));
}

/** Checks every threshold against every load point of a run. */
export function checkThresholds(results: Results, thresholds: readonly Condition[]): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const point of results.points) {
    for (const c of thresholds) {
      const v = evaluateOnPhase(c, point.measure);
      const where = results.points.length > 1 ? ` at ${point.label}` : '';
      const message =
        v.value !== undefined
          ? `${c.text}: ${c.subject} was ${formatMeasured(c, v.value)}${where} (limit ${formatBound(c)})`
          : `${c.text}: ${c.subject} was not measured${where} (${notMeasuredReason(c.metric)}), so the threshold cannot hold`;
      outcomes.push({ condition: c, pointLabel: point.label, status: v.status, actual: v.value ?? NaN, passed: v.status === 'pass', message });
    }
  }
  return outcomes;
}

/** Why a phase may lack a metric the run's family has. */
export function notMeasuredReason(metric: string): string {
  if (metric === 'vram' || metric === 'gpu_util') return 'sample the GPU with --gpu';
  if (metric === 'goodput') return 'set the SLOs with --slo';
  return 'no request produced it';
}

/** Human lines for a set of outcomes: each with its verdict, then a one-line tally. */
export function formatThresholdOutcomes(outcomes: readonly ThresholdOutcome[]): string {
  if (outcomes.length === 0) return '';
  const failed = outcomes.filter((o) => !o.passed);
  const lines = outcomes.map((o) => `${o.passed ? 'PASS' : 'FAIL'}  ${o.message}`);
  lines.push(failed.length ? `${failed.length} of ${outcomes.length} threshold checks failed` : `all ${outcomes.length} threshold checks passed`);
  return lines.join('\n');
}
