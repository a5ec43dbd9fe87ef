import { z } from 'zod';

/**
 * Where a streamed JSON message keeps its content, its end marker and its usage.
 * Field names match the generic `sse` protocol's extraction options, so a scenario moves
 * between SSE, WebSocket and gRPC streams by changing `protocol` only.
 */
export const extractionFields = {
  /** Dotted path to the text (or bytes) each message carries, e.g. `choices[0].delta.content` or `token`. */
  content_path: z.string().optional(),
  /** Dotted path whose value marks the last message, e.g. `done` or `parameters.triton_final_response.bool_param`. */
  end_path: z.string().optional(),
  /** The value at `end_path` that ends the answer; any truthy value when absent. */
  end_value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Dotted path to the output token count the server reports, e.g. `usage.completion_tokens`. */
  usage_path: z.string().optional(),
  /** Dotted path to an in-band error message (a non-empty value fails the request), e.g. `error_message`. */
  error_path: z.string().optional(),
};

export interface Extraction {
  content_path?: string;
  end_path?: string;
  end_value?: string | number | boolean;
  usage_path?: string;
  error_path?: string;
}

/** What one message said, in the harness's terms. */
export interface Extracted {
  /** Text content; '' when the message had a content field that was empty; undefined when it had none. */
  content?: string;
  end: boolean;
  usageTokens?: number;
  error?: string;
}

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c'] once, at compile time; `[-1]` (or `.-1`) is the last element. */
export function compilePath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[-?\d+\])*)$/.exec(part);
    if (!m || (part === '' && path !== '')) throw new Error(`bad JSON path segment "${part}" in "${path}"; write paths like a.b[0].c (or [-1] for the last element)`);
    if (m[1]) keys.push(/^-\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2]!.matchAll(/\[(-?\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

export function getPath(value: unknown, keys: readonly (string | number)[]): unknown {
  let v = value;
  for (const k of keys) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    // A negative index counts from the end of a list.
    v = typeof k === 'number' && k < 0 && Array.isArray(v) ? v[v.length + k] : (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** Sets a value at a dotted path, creating objects on the way. */
export function setPath(target: Record<string, unknown>, keys: readonly (string | number)[], value: unknown): void {
  let v: Record<string | number, unknown> = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    if (v[k] === null || typeof v[k] !== 'object') v[k] = typeof keys[i + 1] === 'number' ? [] : {};
    v = v[k] as Record<string | number, unknown>;
  }
  v[keys[keys.length - 1]!] = value;
}

/**
 * Text of a content value. Bytes are decoded as UTF-8; a Triton BYTES tensor element in
 * `raw_output_contents` starts with its 4-byte little-endian length, which is stripped.
 */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (b.length >= 4 && b.readUInt32LE(0) === b.length - 4) return b.subarray(4).toString('utf8');
    return b.toString('utf8');
  }
  if (Array.isArray(value)) return value.map((v) => textOf(v) ?? '').join('');
  return String(value);
}

export type Extractor = (message: unknown) => Extracted;

/** Compiles the extraction options once; the returned function runs per message. */
export function compileExtraction(opts: Extraction): Extractor {
  const content = opts.content_path ? compilePath(opts.content_path) : undefined;
  const end = opts.end_path ? compilePath(opts.end_path) : undefined;
  const usage = opts.usage_path ? compilePath(opts.usage_path) : undefined;
  const error = opts.error_path ? compilePath(opts.error_path) : undefined;
  return (message) => {
    const out: Extracted = { end: false };
    if (content) out.content = textOf(getPath(message, content));
    if (end) {
      const v = getPath(message, end);
      out.end = opts.end_value === undefined ? Boolean(v) : v === opts.end_value || String(v) === String(opts.end_value);
    }
    if (usage) {
      const u = Number(getPath(message, usage));
      if (Number.isFinite(u) && u >= 0) out.usageTokens = u;
    }
    if (error) {
      const e = getPath(message, error);
      if (e !== undefined && e !== null && e !== '' && e !== false) out.error = typeof e === 'string' ? e : JSON.stringify(e);
    }
    return out;
  };
}

/** Validates every path in the options; returns problems as messages keyed by field. */
export function extractionProblems(opts: Extraction): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const key of ['content_path', 'end_path', 'usage_path', 'error_path'] as const) {
    const p = opts[key];
    if (p === undefined) continue;
    try {
      compilePath(p);
    } catch (err) {
      problems.push({ path: key, message: (err as Error).message });
    }
  }
  return problems;
}
