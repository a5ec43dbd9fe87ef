import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/** .proto files shipped with inferbench (package folder `proto/`), by short name. */
export const SHIPPED_PROTOS: Record<string, string> = {
  kserve: 'inference.proto',
  triton: 'inference.proto',
  detector: 'detector.proto',
};

export function shippedProtoPath(file: string): string {
  // src/protocols and dist/protocols are both two levels below the package root.
  return fileURLToPath(new URL(`../../../proto/${file}`, import.meta.url));
}

/** One RPC as grpc-js calls it. */
export interface GrpcMethod {
  /** `/package.Service/Method` on the wire. */
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  serialize: (value: object) => Buffer;
  deserialize: (bytes: Buffer) => Record<string, unknown>;
}

/** How messages become JS objects: field names as written in the .proto, int64 as strings (no precision loss), enums by name, oneofs named. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true };

export function resolveProtoPath(proto: string): string {
  return SHIPPED_PROTOS[proto] ? shippedProtoPath(SHIPPED_PROTOS[proto]) : proto;
}

/**
 * Loads `proto` and finds `method` ("package.Service/Method"). Errors say which services and
 * methods the file does have.
 */
export async function loadGrpcMethod(proto: string, method: string, includeDirs: string[] = []): Promise<GrpcMethod> {
  const file = resolveProtoPath(proto);
  if (!existsSync(file)) throw new Error(`proto: cannot find ${file}; give a .proto path, or "kserve" / "detector" for the shipped ones`);
  let definition: protoLoader.PackageDefinition;
  try {
    definition = await protoLoader.load(file, { ...PROTO_LOADER_OPTIONS, includeDirs });
  } catch (err) {
    throw new Error(`proto: ${file} does not load: ${(err as Error).message}`);
  }
  const slash = method.lastIndexOf('/');
  const serviceName = method.slice(0, slash);
  const methodName = method.slice(slash + 1);
  const services = Object.entries(definition).filter(([, v]) => isService(v));
  const service = definition[serviceName];
  if (!service || !isService(service)) {
    throw new Error(`method: no service "${serviceName}" in ${file}; services there: ${services.map(([k]) => k).join(', ') || 'none'}`);
  }
  const def = (service as protoLoader.ServiceDefinition)[methodName];
  if (!def) {
    throw new Error(`method: service ${serviceName} has no method "${methodName}"; its methods: ${Object.keys(service).join(', ')}`);
  }
  return {
    path: def.path,
    requestStream: def.requestStream,
    responseStream: def.responseStream,
    serialize: def.requestSerialize as (value: object) => Buffer,
    deserialize: def.responseDeserialize as (bytes: Buffer) => Record<string, unknown>,
  };
}

function isService(v: unknown): boolean {
  return Boolean(v) && typeof v === 'object' && !('format' in (v as object)) && Object.values(v as object).some((m) => m && typeof m === 'object' && 'path' in m);
}
