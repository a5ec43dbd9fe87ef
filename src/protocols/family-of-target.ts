import type { FamilyOf } from '../model/metrics.js';

/**
 * What a target can produce: its metric family (text, audio, frames, unary), whether answers
 * are streamed, whether it runs in process, and its protocol's own extra metrics. Conditions
 * are checked against this before the first request.
 *
 * STAND-IN until protocol descriptors land: the descriptor of each protocol will declare its
 * family and extra metrics, and this one function becomes a registry lookup. It reads the raw
 * target object (protocol name and the few fields that change the family), so it also works on
 * a scenario that has not been fully validated yet.
 */
export interface TargetProduces {
  family: FamilyOf;
  extraMetrics: string[];
  describe: string;
}

const GRADIO_EXTRAS = ['submit', 'queue_time', 'queue_rank_count', 'chars_per_s'];
const OLLAMA_EXTRAS = ['server_total_duration', 'server_load_duration', 'server_prompt_eval_duration', 'server_ttft', 'server_eval_duration', 'server_decode_tokens_per_s'];

/** Undefined when the protocol is not known (the scenario check reports that on its own). */
export function familyOfTarget(target: Record<string, unknown> | undefined): TargetProduces | undefined {
  const protocol = typeof target?.protocol === 'string' ? target.protocol : undefined;
  if (!target || !protocol) return undefined;
  const of = (family: FamilyOf['family'], streamed: boolean, extraMetrics: string[] = [], inProcess = false): TargetProduces => ({
    family: inProcess ? { family, streamed, inProcess } : { family, streamed },
    extraMetrics,
    describe: `protocol ${protocol}`,
  });
  const frames = target.frames !== undefined;
  const streamFlag = target.stream !== false;
  switch (protocol) {
    case 'http':
      return of(frames ? 'frames' : 'unary', false);
    case 'openai':
    case 'tgi':
    case 'openai-responses':
      return of('text', streamFlag);
    case 'ollama':
      return of('text', streamFlag, OLLAMA_EXTRAS);
    case 'gradio':
      return of('text', true, GRADIO_EXTRAS);
    case 'sse':
    case 'ndjson':
      return of('text', true);
    case 'kserve': {
      const url = typeof target.url === 'string' ? target.url : '';
      const streamed = target.api === 'generate_stream' || (target.api === undefined && /generate_stream\/?$/.test(url));
      return of('text', streamed);
    }
    case 'grpc': {
      const mode = (target.stream as { mode?: string } | undefined)?.mode;
      // A method's streaming is known only from its .proto; the descriptor will say. Until then: streamed.
      return of(frames || mode === 'frames' ? 'frames' : 'text', true);
    }
    case 'websocket':
      return of(frames ? 'frames' : target.mode === 'echo' ? 'unary' : 'text', target.mode !== 'echo');
    case 'local': {
      const mode = target.mode;
      const streamed = mode === undefined || mode === 'stream' || mode === 'streamAsync';
      return of(frames ? 'frames' : 'text', streamed, [], true);
    }
    case 'openai-speech':
    case 'audio-http':
      return of('audio', true);
    default:
      return undefined;
  }
}
