import { createRequire } from 'node:module';
import type { Type } from 'protobufjs';

/** One Prometheus time series: its labels (`__name__` included) and samples in time order. */
export interface TimeSeries {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
}

/**
 * Prometheus remote write 1.0 (prometheus/prompb/remote.proto and types.proto, the fields a
 * sender needs): a snappy-compressed (block format) protobuf WriteRequest, POSTed with the
 * protocol's headers. Encoding is protobufjs and snappyjs, loaded on first use.
 */
const WRITE_REQUEST_PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

let codec: { writeRequest: Type; compress: (data: Uint8Array) => Uint8Array } | undefined;
function loadCodec(): NonNullable<typeof codec> {
  if (!codec) {
    const require = createRequire(import.meta.url);
    const protobuf = require('protobufjs') as typeof import('protobufjs');
    const snappy = require('snappyjs') as typeof import('snappyjs');
    codec = { writeRequest: protobuf.parse(WRITE_REQUEST_PROTO).root.lookupType('prometheus.WriteRequest'), compress: (d) => snappy.compress(d) };
  }
  return codec;
}

/** The request body for these series: labels sorted by name, as the protocol requires. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array {
  const { writeRequest, compress } = loadCodec();
  const message = writeRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => ({ name, value })),
      samples: s.samples.map((x) => ({ value: x.value, timestamp: Math.round(x.timestampMs) })),
    })),
  });
  return compress(writeRequest.encode(message).finish());
}

/** POSTs one write request; resolves with the failure's cause, or undefined when Prometheus took it. */
export async function sendWriteRequest(url: URL, series: readonly TimeSeries[], timeoutMs = 10_000): Promise<string | undefined> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': 'inferbench',
  };
  if (url.username || url.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const target = new URL(url);
  target.username = '';
  target.password = '';
  try {
    // Loaded on the first push: a run without this export does not pay for undici (~140 ms to import).
    const { request } = await import('undici');
    const res = await request(target, { method: 'POST', headers, body: encodeWriteRequest(series), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) return undefined;
    return `HTTP ${res.statusCode}${text.trim() ? `: ${text.trim().slice(0, 300)}` : ''}`;
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    return e.cause?.code ?? e.code ?? e.message;
  }
}
