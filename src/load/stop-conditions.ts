import type { Scenario } from '../scenario/schema.js';

/** The scenario's `stop` section: when a run gives up early. */
export type StopConditions = Scenario['stop'];

/** Stops the run (through `stop`) when the stop conditions are met by the counts so far (all threads together). */
export function checkStopConditions(conditions: StopConditions, counts: { done: number; failed: number }, stop: AbortController): void {
  if (stop.signal.aborted) return;
  const { max_errors, max_error_rate } = conditions;
  if (max_errors !== undefined && counts.failed >= max_errors) {
    stop.abort(`stopped after ${counts.failed} failed requests (stop.max_errors = ${max_errors})`);
  } else if (max_error_rate !== undefined && counts.done >= 20 && counts.failed / counts.done > max_error_rate) {
    stop.abort(`stopped: error rate ${((100 * counts.failed) / counts.done).toFixed(1)}% above stop.max_error_rate = ${max_error_rate * 100}%`);
  }
}
