import { z } from 'zod';
import { durationMs, httpUrl } from '../scenario/fields.js';
import { parseCondition, parseConditions, type Condition } from './condition.js';

/** A per-request SLO string such as "ttft<=400ms" (no percentile: each request is checked). */
export const sloField = z.string().superRefine((text, ctx) => {
  try {
    const c = parseCondition(text);
    if (c.stat) ctx.addIssue({ code: 'custom', message: `an SLO is checked on each request; write "${c.metric}${c.op}…" without ${c.stat}(…) (percentiles belong in capacity conditions and targets)` });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** A condition on a whole run, e.g. "p95(ttfc) < 400ms" or several joined by "and". */
export const phaseConditionField = z.string().superRefine((text, ctx) => {
  try {
    parseConditions(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** The users' targets table (seeds/002): a row per metric with its target and stretch goal. */
export const targetsField = z.array(
  z.strictObject({
    /** How the table names the row, e.g. "TTFC" or "P95 Latency". */
    metric: z.string().min(1),
    target: phaseConditionField,
    stretch: phaseConditionField.optional(),
  }),
);

export const monitorField = z.strictObject({
  /** nvidia-smi sampling during measure phases: `true`, or the interval and command. */
  gpu: z
    .union([z.literal(true), z.literal(false), z.strictObject({ interval: durationMs.default(500), command: z.string().min(1).default('nvidia-smi') })])
    .transform((g) => (g === false ? undefined : g === true ? { interval: 500, command: 'nvidia-smi' } : g))
    .optional(),
  /** A Prometheus endpoint scraped before, during and after each measure phase. */
  server_metrics: z
    .strictObject({
      url: httpUrl,
      /** Names to report (e.g. vllm:num_requests_running); empty: every counter that moved and every gauge. */
      metrics: z.array(z.string().min(1)).default([]),
      interval: durationMs.default(1000),
    })
    .optional(),
});

/** The scenario's SLO strings, parsed (validated already by the schema). */
export function scenarioSlos(slo: readonly string[] | undefined): Condition[] | undefined {
  return slo?.length ? slo.map(parseCondition) : undefined;
}
