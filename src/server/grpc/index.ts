export { serveGrpc, type ReferenceGrpcServer } from './serve-grpc.js';
export { DEFAULT_GRPC_SERVER_OPTIONS, resolveGrpcServerOptions, type GrpcServerOptions, type GrpcServerSettings } from './grpc-options.js';
