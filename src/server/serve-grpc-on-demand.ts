import type { GrpcServerOptions, ReferenceGrpcServer } from './grpc/index.js';

/**
 * Starts the reference gRPC server (the detector service and KServe v2). grpc-js is the
 * heaviest dependency, so it loads on the first call rather than with the library.
 */
export async function serveGrpc(options: Partial<GrpcServerOptions> = {}): Promise<ReferenceGrpcServer> {
  return (await import('./grpc/index.js')).serveGrpc(options);
}
