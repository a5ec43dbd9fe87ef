import { z } from 'zod';
import { frameTargetFields } from '../frames/schema.js';
import { LOCAL_MODES } from './load-module.js';
import { durationMs } from '../../scenario/fields.js';

/** A library function called in process: `generate`, `stream`, `streamAsync` or `predict` of a user's ESM module. */
export const localTargetSchema = z.strictObject({
  protocol: z.literal('local'),
  /** Path to the module (.ts via tsx, or .js/.mjs). */
  module: z.string().min(1, 'give the module path, e.g. module: ./my-model.ts'),
  /** Which export to call; default: the first the module has of stream, streamAsync, generate, predict. */
  mode: z.enum(LOCAL_MODES).optional(),
  /** The input handed to the function (templated JSON: {{index}}, {{row.prompt}}, ...). */
  input: z.unknown().default({}),
  /** A call that has not returned by then is recorded as a timeout (it keeps running: JS cannot stop it). */
  timeout: durationMs.optional(),
  ...frameTargetFields,
});
export type LocalTarget = z.output<typeof localTargetSchema>;
