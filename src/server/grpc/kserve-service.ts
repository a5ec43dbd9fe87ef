import * as grpc from '@grpc/grpc-js';
import { nowMs } from '../../model/clock.js';
import { sampleDurationMs } from '../distributions.js';
import { mulberry32, randomStream, RandomPurpose } from '../seeded-random.js';
import { generateTokenTexts } from '../text.js';
import type { DetectorContext } from './detector-service.js';

interface InferParameter {
  bool_param?: boolean;
  int64_param?: string | number;
  string_param?: string;
}
interface InferRequest {
  model_name?: string;
  id?: string;
  parameters?: Record<string, InferParameter>;
  inputs?: { name?: string; datatype?: string; shape?: (string | number)[] }[];
  raw_input_contents?: Buffer[];
}

/** A Triton BYTES tensor element: 4-byte little-endian length, then the bytes. */
function bytesElement(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/**
 * KServe v2 / Triton `inference.GRPCInferenceService` (proto/inference.proto): health and
 * metadata; ModelInfer answers after detectMs with a small FP32 tensor; ModelStreamInfer acts
 * as a decoupled text model: one response per token (`text_output`, BYTES, raw contents), the
 * last with `triton_final_response = true`, as Triton sends them.
 */
export function kserveHandlers(ctx: DetectorContext): grpc.UntypedServiceImplementation {
  const { settings } = ctx;
  const random = mulberry32(settings.seed ^ 0x5eed);
  let requestNo = 0;
  const metadataOf = (id: string) => {
    const md = new grpc.Metadata();
    md.set('x-inferbench-request-id', id);
    return md;
  };
  return {
    ServerLive: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { live: true }),
    ServerReady: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { ready: true }),
    ModelReady: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { ready: true }),
    ServerMetadata: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { name: 'inferbench-reference', version: '2', extensions: [] }),
    ModelMetadata: (call: grpc.ServerUnaryCall<{ name?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, {
        name: call.request.name ?? 'reference',
        versions: ['1'],
        platform: 'inferbench',
        inputs: [{ name: 'INPUT0', datatype: 'BYTES', shape: ['-1'] }],
        outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: ['-1'] }],
      }),

    ModelInfer(call: grpc.ServerUnaryCall<InferRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const id = ctx.nextId();
      const truth = ctx.groundTruth.start(id, 'grpc /inference.GRPCInferenceService/ModelInfer', '/inference.GRPCInferenceService/ModelInfer', ctx.wire.receivedMs(call.metadata));
      call.sendMetadata(metadataOf(id));
      const req = call.request;
      const timer = setTimeout(() => {
        ctx.wire.beforeSend(call.metadata, () => truth.mark('content', { tokens: 1 }));
        cb(null, {
          model_name: req.model_name ?? '',
          model_version: '1',
          id: req.id ?? '',
          outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: ['4'], contents: { fp32_contents: [0.1, 0.2, 0.3, 0.4] } }],
        });
        truth.end('completed');
      }, sampleDurationMs(settings.detectMs, random));
      call.on('cancelled', () => {
        clearTimeout(timer);
        truth.end('client-disconnected');
      });
    },

    ModelStreamInfer(call: grpc.ServerDuplexStream<InferRequest, unknown>) {
      const streamId = ctx.nextId();
      call.sendMetadata(metadataOf(streamId));
      const timers = new Set<NodeJS.Timeout>();
      let active = 0;
      let ended = false;
      const maybeEnd = () => {
        if (ended && active === 0) call.end();
      };
      call.on('data', (req: InferRequest) => {
        const n = requestNo++;
        const reqId = req.id || `${streamId}.${n}`;
        const truth = ctx.groundTruth.start(reqId, 'grpc /inference.GRPCInferenceService/ModelStreamInfer', '/inference.GRPCInferenceService/ModelStreamInfer', nowMs());
        const maxTokens = Number(req.parameters?.max_tokens?.int64_param ?? settings.outputTokens);
        if (req.model_name === 'missing') {
          truth.mark('error');
          call.write({ error_message: `model "${req.model_name}" is not loaded`, infer_response: { id: reqId } });
          truth.end('completed');
          return;
        }
        const timing = randomStream(settings.seed, n, RandomPurpose.timing);
        const texts = generateTokenTexts(Math.max(1, maxTokens), randomStream(settings.seed, n, RandomPurpose.text));
        active++;
        let i = 0;
        const emit = () => {
          const last = i === texts.length - 1;
          truth.mark('content', { tokens: 1, text: texts[i]! });
          call.write({
            infer_response: {
              model_name: req.model_name ?? '',
              model_version: '1',
              id: reqId,
              parameters: { triton_final_response: { bool_param: last } },
              outputs: [{ name: 'text_output', datatype: 'BYTES', shape: ['1'] }],
              raw_output_contents: [bytesElement(texts[i]!)],
            },
          });
          i++;
          if (last) {
            truth.end('completed');
            active--;
            maybeEnd();
            return;
          }
          const t = setTimeout(emit, sampleDurationMs(settings.itlMs, timing));
          timers.add(t);
        };
        timers.add(setTimeout(emit, sampleDurationMs(settings.ttftMs, timing)));
      });
      call.on('end', () => {
        ended = true;
        maybeEnd();
      });
      call.on('cancelled', () => {
        for (const t of timers) clearTimeout(t);
      });
    },
  };
}
