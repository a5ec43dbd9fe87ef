import { z } from 'zod';
import { durationMs, httpUrl } from './fields.js';

/** `monitor`: what is watched during measure phases besides the requests. */
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
