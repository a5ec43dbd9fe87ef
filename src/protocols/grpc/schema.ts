import { z } from 'zod';
import { frameTargetFields } from '../frames/schema.js';
import { durationMs, positiveInt, buildField } from '../../scenario/fields.js';
import { extractionFields } from '../wire/extraction.js';

const grpcUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'grpc:' || u.protocol === 'grpcs:') && u.port !== '';
  } catch {
    return false;
  }
}, 'expected a gRPC address like "grpc://127.0.0.1:50051" (grpcs:// for TLS), with its port');

/**
 * Any gRPC method described by a .proto file: unary, server streaming, client streaming or
 * bidirectional. Requests are JSON templates turned into protobuf messages.
 */
export const grpcTargetSchema = z.strictObject({
  protocol: z.literal('grpc'),
  /** `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS). */
  url: grpcUrl,
  /** The .proto file that declares the service. `kserve` names the KServe v2 / Triton proto shipped with inferbench. */
  proto: z.string().min(1, 'give the .proto file, e.g. proto: ./detector.proto'),
  /** Extra directories for the .proto's imports. */
  include_dirs: z.array(z.string()).default([]),
  /** `package.Service/Method`, e.g. `inference.GRPCInferenceService/ModelInfer`. */
  method: z.string().regex(/^[A-Za-z_][\w.]*\/\w+$/, 'expected "package.Service/Method", e.g. "inference.GRPCInferenceService/ModelInfer"'),
  /** The request message as JSON (templated: {{index}}, {{seed}}, {{row.x}}, ...). */
  request: z.unknown().default({}),
  /** Request-builder module (see scenario/fields.ts buildField). */
  build: buildField,
  /** Request metadata (headers); use ${ENV} for tokens. */
  metadata: z.record(z.string(), z.string()).default({}),
  /** Deadline of each call (each frame in `frames` stream mode); default 600 s for streams, 120 s for unary. */
  timeout: durationMs.optional(),
  /** TLS with custom files (grpcs:// alone uses the system roots). */
  tls: z
    .strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), server_name: z.string().optional() })
    .optional(),
  /**
   * Client and bidi streams. `call`: every request opens its own stream, writes `messages`
   * copies of the request and reads the answers to their end. `frames`: one long-lived bidi
   * stream carries every request as one message; each is answered by one message, matched by
   * order or by `id_field` (per-frame latency, FPS).
   */
  stream: z
    .strictObject({
      mode: z.enum(['call', 'frames']).default('call'),
      messages: positiveInt('messages').default(1),
      /** Field set to a unique id in each request message and read back from its answer (frames mode). */
      id_field: z.string().optional(),
      /** The answer's id field when it differs from the request's. */
      response_id_field: z.string().optional(),
    })
    .default({ mode: 'call', messages: 1 }),
  ...extractionFields,
  ...frameTargetFields,
});
export type GrpcTarget = z.output<typeof grpcTargetSchema>;
