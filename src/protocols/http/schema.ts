import { z } from 'zod';
import { frameTargetFields } from '../frames/schema.js';
import { commonTargetFields } from '../../scenario/fields.js';

/** A plain HTTP endpoint (unary JSON or raw body): latency, TTFB, status codes. */
export const httpTargetSchema = z.strictObject({
  protocol: z.literal('http'),
  ...commonTargetFields,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  /** Query parameters added to the URL (templated). */
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** JSON body (templated: {{index}}, {{seed}}, {{uuid}}, {{random.uniform a b}}, {{row.field}}), or a string sent as is. */
  body: z.unknown().optional(),
  /** Content type for a string body (JSON bodies are sent as application/json). */
  content_type: z.string().optional(),
  /** Image frames in each request (base64 JSON, raw bytes or multipart; see frames.http_body). */
  ...frameTargetFields,
});
export type HttpTarget = z.output<typeof httpTargetSchema>;
