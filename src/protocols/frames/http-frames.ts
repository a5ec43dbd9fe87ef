import type { FrameBatch } from './frame-source.js';
import { placeFrames } from './frame-source.js';
import type { FramesOptions } from './schema.js';

const CONTENT_TYPE_OF: Record<FramesOptions['format'], string> = { png: 'image/png', jpeg: 'image/jpeg', raw: 'application/octet-stream' };

/**
 * An HTTP request body carrying a batch: base64 inside the JSON body (`json`), the image bytes
 * as the whole body (`raw`; a batch is sent concatenated), or `multipart/form-data` with one
 * file part per frame (undici's FormData encodes it; the multipart framing is not ours).
 */
export async function httpFramesBody(
  rendered: unknown,
  batch: FrameBatch,
  options: FramesOptions,
  index: number,
  batchSizeSet: boolean,
): Promise<{ body: string | Uint8Array; contentType: string }> {
  if (options.http_body === 'raw') {
    return { body: batch.frames.length === 1 ? batch.frames[0]! : Buffer.concat(batch.frames), contentType: CONTENT_TYPE_OF[options.format] };
  }
  if (options.http_body === 'multipart') {
    const form = new FormData();
    for (const [k, v] of Object.entries((rendered ?? {}) as Record<string, unknown>)) form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    const ext = options.format === 'jpeg' ? 'jpg' : options.format;
    batch.frames.forEach((f, k) => form.append(options.path, new Blob([new Uint8Array(f)], { type: CONTENT_TYPE_OF[options.format] }), `frame-${index}-${k}.${ext}`));
    const encoded = new Response(form);
    return { body: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
  }
  const body = placeFrames(((rendered as Record<string, unknown>) ?? {}) as Record<string, unknown>, batch, options, index, 'base64', batchSizeSet);
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
