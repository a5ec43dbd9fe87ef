import { z } from 'zod';
import { commonTargetFields } from '../../scenario/fields.js';
import { jsonStreamFields } from '../wire/json-stream-rules.js';

/** Any server-sent-events stream of JSON events, described by where its content, end and usage are. */
export const sseTargetSchema = z.strictObject({
  protocol: z.literal('sse'),
  ...commonTargetFields,
  ...jsonStreamFields,
  /** Only events of this `event:` type carry content (others still count as events); default: every event. */
  event: z.string().optional(),
  /** An `event:` type that ends the stream (e.g. "complete", "response.completed"). */
  end_event: z.string().optional(),
  /** A data payload that ends the stream as it is, not JSON. */
  done_data: z.string().default('[DONE]'),
});
export type SseTarget = z.output<typeof sseTargetSchema>;
