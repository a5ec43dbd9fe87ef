import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, shippedProtoPath } from '../../protocols/grpc/method.js';
import { GroundTruthStore } from '../ground-truth.js';
import { detectorHandlers, type DetectorContext } from './detector-service.js';
import { resolveGrpcServerOptions, type GrpcServerOptions, type GrpcServerSettings } from './grpc-options.js';
import { kserveHandlers } from './kserve-service.js';
import { WireStamps } from './wire-stamps.js';

/** A running reference gRPC server (detector + KServe v2). */
export interface ReferenceGrpcServer {
  /** `grpc://127.0.0.1:PORT`. */
  url: string;
  port: number;
  settings: GrpcServerSettings;
  groundTruth: GroundTruthStore;
  /** Cancels open calls and stops. */
  close(): Promise<void>;
}

/**
 * Starts the reference gRPC server, separate from the HTTP one: `inferbench.detector.Detector`
 * (unary, server stream, client stream, bidi with batching) and `inference.GRPCInferenceService`
 * (ModelInfer, ModelStreamInfer). Plaintext HTTP/2 on loopback.
 */
export async function serveGrpc(options: Partial<GrpcServerOptions> = {}): Promise<ReferenceGrpcServer> {
  const settings = resolveGrpcServerOptions(options);
  const groundTruth = new GroundTruthStore(settings.maxGroundTruthRecords);
  let next = 1;
  const wire = new WireStamps();
  const ctx: DetectorContext = { settings, groundTruth, nextId: () => String(next++), wire };
  const load = async (file: string) => grpc.loadPackageDefinition(await protoLoader.load(shippedProtoPath(file), PROTO_LOADER_OPTIONS));
  const detector = (await load('detector.proto')) as unknown as { inferbench: { detector: { Detector: grpc.ServiceClientConstructor } } };
  const inference = (await load('inference.proto')) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };

  const server = new grpc.Server({ interceptors: [wire.interceptor] });
  server.addService(detector.inferbench.detector.Detector.service, detectorHandlers(ctx));
  server.addService(inference.inference.GRPCInferenceService.service, kserveHandlers(ctx));
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${settings.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  let closing: Promise<void> | undefined;
  return {
    url: `grpc://${host}:${port}`,
    port,
    settings,
    groundTruth,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open streams would hold tryShutdown forever; end them now.
        server.forceShutdown();
      })),
  };
}
