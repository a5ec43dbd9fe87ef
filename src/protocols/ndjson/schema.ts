import { z } from 'zod';
import { commonTargetFields } from '../../scenario/fields.js';
import { jsonStreamFields } from '../wire/json-stream-rules.js';

/** Any newline-delimited JSON stream, described by where its content, end and usage are. */
export const ndjsonTargetSchema = z.strictObject({
  protocol: z.literal('ndjson'),
  ...commonTargetFields,
  ...jsonStreamFields,
});
export type NdjsonTarget = z.output<typeof ndjsonTargetSchema>;
