import { defineProtocol } from '../descriptor.js';
import { grpcTargetSchema } from './schema.js';

export const grpcProtocol = defineProtocol({
  schema: grpcTargetSchema,
  summary: 'any method of any .proto: unary, server, client or bidirectional streams; frames streams with FPS',
  // Whether the method streams is known only once its .proto is loaded, so a plain target may be either.
  families: (t) => {
    if (t.frames) return [{ family: 'frames', streamed: t.stream.mode === 'frames' }];
    const text = t.content_path !== undefined || t.method.endsWith('/ModelStreamInfer');
    return text ? [{ family: 'text', streamed: true }] : [{ family: 'unary', streamed: false }, { family: 'unary', streamed: true }];
  },
  textual: (t) => t.content_path !== undefined,
  textHint: '--content-path: a dotted path to the text in each response message',
  impliedBy: /^grpcs?:/,
  example: `inferbench run --url grpc://127.0.0.1:50051 --proto detector --method inferbench.detector.Detector/DetectStream --mode frames --frames 640x640:jpeg -c 4 -n 200`,
  create: async (target) => (await import('./client.js')).GrpcClient.create(target),
});
