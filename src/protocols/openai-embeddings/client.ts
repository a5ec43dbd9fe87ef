import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import type { OpenAIEmbeddingsTarget } from './schema.js';

interface EmbeddingsAnswer {
  data?: { index?: number; embedding?: number[] | string }[];
  usage?: { prompt_tokens?: number };
}

/**
 * One embeddings request, one answer: latency and status like any unary call, plus the
 * vectors returned and the prompt tokens the server counted. An answer with fewer vectors
 * than inputs, or a vector that is empty, is a protocol error.
 */
export class OpenAIEmbeddingsClient extends HttpProtocolClient {
  readonly family: FamilyOf = { family: 'unary', streamed: false };
  private readonly inputs: number;

  constructor(target: OpenAIEmbeddingsTarget, ctx: ClientContext) {
    const body: Record<string, unknown> = { model: target.model, input: target.input };
    if (target.dimensions !== undefined) body.dimensions = target.dimensions;
    if (target.encoding_format !== undefined) body.encoding_format = target.encoding_format;
    super({ url: target.url, method: 'POST', headers: target.headers, body: { ...body, ...target.extra_body }, streamed: false, timeoutMs: target.timeout }, ctx);
    this.inputs = Array.isArray(target.input) ? target.input.length : 1;
  }

  protected consumer(tl: TimelineBuilder): BodyConsumer {
    const inner = unaryJsonConsumer(tl, (json: EmbeddingsAnswer) => {
      const vectors = (json.data ?? []).filter((d) => (typeof d.embedding === 'string' ? d.embedding.length > 0 : Array.isArray(d.embedding) && d.embedding.length > 0));
      tl.extra('embeddings_count', vectors.length);
      const first = vectors[0]?.embedding;
      if (Array.isArray(first)) tl.extra('embedding_dimensions_count', first.length);
      if (typeof json.usage?.prompt_tokens === 'number') tl.extra('prompt_tokens', json.usage.prompt_tokens);
      return {};
    });
    const inputs = this.inputs;
    return {
      chunk: (data, atMs) => inner.chunk(data, atMs),
      end(atMs) {
        const verdict = inner.end(atMs);
        if (verdict.outcome !== 'ok') return verdict;
        const got = tl.t.extra.embeddings_count ?? 0;
        if (got < inputs) return { outcome: 'protocol_error', error: `the answer holds ${got} embedding${got === 1 ? '' : 's'} for ${inputs} input${inputs === 1 ? '' : 's'}` };
        return verdict;
      },
    };
  }
}
