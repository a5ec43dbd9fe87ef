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
  /**
   * Why a field path (e.g. ['frames', 0, 'image']) does not exist in the request message, or
   * undefined when it does: protobuf drops unknown fields silently, so a misspelt field would
   * send requests without it.
   */
  requestFieldProblem(keys: readonly (string | number)[]): string | undefined;
}

interface FieldDescriptor {
  name: string;
  type: string;
  typeName?: string;
  label?: string;
}
type MessageDescriptor = { name?: string; field?: FieldDescriptor[]; nestedType?: MessageDescriptor[]; options?: { mapEntry?: boolean } | null };

function fieldProblem(definition: protoLoader.PackageDefinition, typeName: string, root: MessageDescriptor, keys: readonly (string | number)[]): string | undefined {
  let message: MessageDescriptor | undefined = root;
  let name = typeName;
  let repeated = false;
  let mapOf: MessageDescriptor | undefined;
  for (const key of keys) {
    // A map<K, V> field: any key, then the value's fields.
    if (mapOf) {
      const value = mapOf.field?.find((f) => f.name === 'value');
      name = `${name}[${String(key)}]`;
      message = value?.type === 'TYPE_MESSAGE' && value.typeName ? messageType(definition, value.typeName) : undefined;
      mapOf = undefined;
      repeated = false;
      continue;
    }
    if (typeof key === 'number' || /^-?\d+$/.test(String(key))) {
      if (!repeated) return `${name} is not a repeated field, so it has no [${key}]`;
      repeated = false;
      continue;
    }
    if (!message) return `${name} is not a message, so it has no field "${key}"`;
    const field: FieldDescriptor | undefined = message.field?.find((f) => f.name === key);
    if (!field) return `message ${name} has no field "${key}"; its fields: ${(message.field ?? []).map((f) => f.name).join(', ') || 'none'}`;
    repeated = field.label === 'LABEL_REPEATED';
    name = `${name}.${key}`;
    message = field.type === 'TYPE_MESSAGE' && field.typeName ? messageType(definition, field.typeName) : undefined;
    if (message?.options?.mapEntry) {
      mapOf = message;
      repeated = false;
    }
  }
  return undefined;
}

/** A message type by the name a field gives (proto-loader gives nested types' short names), from the file's types and their nested ones. */
function messageType(definition: protoLoader.PackageDefinition, typeName: string): MessageDescriptor | undefined {
  const bare = typeName.replace(/^\./, '');
  const short = bare.split('.').pop()!;
  let found: MessageDescriptor | undefined;
  const visit = (m: MessageDescriptor) => {
    if (found) return;
    if (m.name === short) found = m;
    else for (const n of m.nestedType ?? []) visit(n);
  };
  const exact = (definition[bare] as { type?: MessageDescriptor } | undefined)?.type;
  if (exact && typeof exact === 'object') return exact;
  for (const v of Object.values(definition)) {
    const t = (v as { type?: MessageDescriptor }).type;
    if (t && typeof t === 'object') visit(t);
  }
  return found;
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
    requestFieldProblem: (keys) => {
      const root = (def.requestType as { type?: MessageDescriptor }).type;
      return root ? fieldProblem(definition, `${methodName}'s request`, root, keys) : undefined;
    },
  };
}

function isService(v: unknown): boolean {
  return Boolean(v) && typeof v === 'object' && !('format' in (v as object)) && Object.values(v as object).some((m) => m && typeof m === 'object' && 'path' in m);
}
