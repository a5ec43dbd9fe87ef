import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProtoPath } from '../../src/protocols/grpc/method.js';
import { run, serve, type Timeline } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';

/**
 * gRPC request messages and metadata, and WebSocket messages, are templated per call with
 * independent draws; what the server saw comes back in its answer and is captured from it.
 */
let grpcServer: grpc.Server;
let grpcPort: number;
let wsServer: ReferenceServer;
beforeAll(async () => {
  const def = await protoLoader.load(resolveProtoPath('kserve'), { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
  const service = (grpc.loadPackageDefinition(def).inference as unknown as { GRPCInferenceService: { service: grpc.ServiceDefinition } }).GRPCInferenceService.service;
  grpcServer = new grpc.Server();
  // A ModelInfer that answers with what it received: the request id and the x-trace metadata.
  grpcServer.addService(service, {
    ModelInfer: (call: grpc.ServerUnaryCall<{ id?: string; model_name?: string }, unknown>, done: grpc.sendUnaryData<unknown>) =>
      done(null, { model_name: call.request.model_name, id: `${call.request.id}|${String(call.metadata.get('x-trace')[0])}` }),
  });
  grpcPort = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  wsServer = await serve({ seed: 2, echoDelayMs: '1ms' });
});
afterAll(async () => {
  grpcServer.forceShutdown();
  await wsServer.close();
});

describe('templated gRPC and WebSocket requests', () => {
  it('gRPC: request fields and metadata rendered per call, captured back from the answer', async () => {
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: {
          protocol: 'grpc',
          url: `grpc://127.0.0.1:${grpcPort}`,
          proto: 'kserve',
          method: 'inference.GRPCInferenceService/ModelInfer',
          request: { model_name: 'm', id: 'req-{{index}}-{{random.int 0 1000000000}}' },
          metadata: { 'x-trace': 'trace-{{index}}-{{random.int 0 1000000000}}' },
        },
        capture: { seen: 'id' },
        load: { requests: 6, concurrency: 2 },
        output: { write: false },
      },
      { onRequest: (t) => timelines.push(t) },
    );
    expect(results.points[0]!.measure.counts.ok).toBe(6);
    for (const t of timelines) {
      const [id, trace] = String(t.values?.seen).split('|');
      expect(id).toMatch(new RegExp(`^req-${t.index}-\\d+$`));
      expect(trace).toMatch(new RegExp(`^trace-${t.index}-\\d+$`));
      // Independent draws: the request's number is not the metadata's.
      expect(id!.split('-')[2]).not.toBe(trace!.split('-')[2]);
    }
  });

  it('gRPC: a request field the .proto does not have is a config error before any call', async () => {
    await expect(
      run({ target: { protocol: 'grpc', url: `grpc://127.0.0.1:${grpcPort}`, proto: 'kserve', method: 'inference.GRPCInferenceService/ModelInfer', request: { model: 'm' } }, load: { requests: 1 }, output: { write: false } }),
    ).rejects.toThrow(/target\.request\.model: message ModelInfer's request has no field "model"; its fields: model_name/);
  });

  it('WebSocket: each message rendered per call with independent draws', async () => {
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: { protocol: 'websocket', url: `${wsServer.url.replace('http', 'ws')}/ws/echo`, mode: 'echo', message: { call: '{{index}}', a: '{{random.uniform 0 1}}', b: '{{random.uniform 0 1}}' } },
        capture: { call: 'echo.call', a: 'echo.a', b: 'echo.b' },
        load: { requests: 5 },
        output: { write: false },
      },
      { onRequest: (t) => timelines.push(t) },
    );
    expect(results.points[0]!.measure.counts.ok).toBe(5);
    for (const t of timelines) {
      expect(t.values?.call).toBe(t.index);
      expect(t.values?.a).not.toBe(t.values?.b);
    }
  });
});
