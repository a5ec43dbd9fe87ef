/**
 * The baseline for SSE client cost: undici's dispatch handler (what inferbench builds on)
 * reading N concurrent streams and doing nothing with the bytes: no parsing, no timestamps.
 *   tsx bench/support/bare-sse-loop.ts URL STREAMS DURATION_S EVENTS_PER_ANSWER → JSON
 */
import { Agent, type Dispatcher } from 'undici';

const [url, streams, durationS, eventsPerAnswer] = process.argv.slice(2);
const target = new URL(url!);
const agent = new Agent({ pipelining: 1, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 600_000 });
const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'hi' }] });
let answers = 0;
let bytes = 0;
const once = () =>
  new Promise<void>((resolve, reject) => {
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders: () => true,
      onData(chunk) {
        bytes += chunk.byteLength;
        return true;
      },
      onComplete() {
        answers++;
        resolve();
      },
      onError: reject,
    };
    agent.dispatch({ origin: target.origin, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body }, handler);
  });
const startMs = performance.now();
const endMs = startMs + Number(durationS) * 1000;
await Promise.all(
  Array.from({ length: Number(streams) }, async () => {
    while (performance.now() < endMs) await once();
  }),
);
const seconds = (performance.now() - startMs) / 1000;
await agent.close();
process.stdout.write(JSON.stringify({ eventsPerSecond: (answers * Number(eventsPerAnswer)) / seconds, answers, bytes, seconds }) + '\n');
