import { z } from 'zod';
import { DURATION_HINT, parseDurationMs } from '../model/units.js';

/** A duration field: "500ms", "30s", "2min" or a number of seconds (a bare number has always meant seconds here); parsed to milliseconds. */
export const durationMs = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDurationMs(value, 'seconds');
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

export const positiveInt = (what: string) =>
  z.number({ error: `expected a whole number of ${what}` }).int(`expected a whole number of ${what}`).positive(`expected at least 1 ${what}`);

export const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an http(s) URL like "http://127.0.0.1:8000/v1/chat/completions"');

/** Whole-request timeout when a target sets none: long for streams (a long answer is not a hang), shorter for unary calls. */
export const DEFAULT_STREAM_TIMEOUT_MS = 600_000;
export const DEFAULT_UNARY_TIMEOUT_MS = 120_000;

/** A target's `timeout`, or the default for a streamed or a unary call. */
export function requestTimeoutMs(timeout: number | undefined, streamed: boolean): number {
  return timeout ?? (streamed ? DEFAULT_STREAM_TIMEOUT_MS : DEFAULT_UNARY_TIMEOUT_MS);
}

/**
 * A request-builder module (path relative to the scenario file): its default export gets
 * `{ index, seed, random, row, values, steps, runId, phase }` and returns the call's parts
 * (`url`, `headers`, `query`, `body`; gRPC `request`, `metadata`; WebSocket `message`), each
 * replacing the target's template, and/or `values` for the templates, records and later steps.
 * It runs before the phase's clock starts. What k6 and locust users write as code.
 */
export const buildField = z.string().min(1, 'give the module path, e.g. build: ./payload.mjs').optional();

/** Fields every network target shares. Protocol schemas extend this with their own fields. */
export const commonTargetFields = {
  url: httpUrl,
  headers: z.record(z.string(), z.string()).default({}),
  /** Whole-request timeout; default 600 s for streams, 120 s for unary requests. */
  timeout: durationMs.optional(),
  build: buildField,
};
