import type { OutcomeKind } from '../../model/timeline.js';
import type { DebugLineTap } from './debug-tap.js';
import type { BodyConsumer } from './http-exchange.js';

/** What a stream protocol learns as it reads: its terminal event came, or something failed. */
export interface StreamState {
  done: boolean;
  /** The first problem (bad JSON, an error event): it ends reading and becomes the outcome. */
  failure?: string;
}

interface ChunkReader {
  feed(data: Uint8Array, atMs: number): void;
  end(atMs: number): void;
}

/**
 * The body side every event-stream protocol shares: chunks go to the debug tap (when
 * `--debug sse` asked for one) and to the protocol's reader; at the end a failure wins, and
 * a stream that stopped before its terminal event is a protocol error naming that event.
 */
export function streamConsumer(
  reader: ChunkReader,
  state: StreamState,
  opts: { tap?: DebugLineTap; endedEarly: string; onOk?: () => void },
): BodyConsumer {
  return {
    chunk(data, atMs) {
      opts.tap?.feed(data, atMs);
      reader.feed(data, atMs);
      return state.done || state.failure !== undefined;
    },
    end(atMs): { outcome: OutcomeKind; error?: string } {
      opts.tap?.end(atMs);
      reader.end(atMs);
      if (state.failure) return { outcome: 'protocol_error', error: state.failure };
      if (!state.done) return { outcome: 'protocol_error', error: opts.endedEarly };
      opts.onOk?.();
      return { outcome: 'ok' };
    },
  };
}
