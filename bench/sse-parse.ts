/**
 * The OpenAI stream consumer's own cost per event, in process, with no sockets: a vLLM-style
 * stream fed as the plain-HTTP transport feeds it (ranges of one shared read buffer), either
 * one event a chunk (what 1,000 streams at 20 ms ITL give: bench:timing) or 256 events a chunk
 * (a static answer read in big pieces: bench:sse), and the cost of a two-event answer, which is
 * mostly what a request costs beyond its events. Each request is a fresh consumer and
 * timeline, so learning the layout and finishing the timeline are in the figure. The numbers
 * behind BYTE_PATH_MAX_CHUNK in src/protocols/wire/sse.ts.
 *
 *   npm run bench:sse-parse -- [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { TimelineBuilder } from '../src/model/timeline.js';
import { OpenAIClient } from '../src/protocols/openai/client.js';
import type { BodyConsumer } from '../src/protocols/wire/http-exchange.js';
import { machineLoad } from './support/processes.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const client = new OpenAIClient({ protocol: 'openai', url: 'http://127.0.0.1:1/v1/chat/completions', stream: true, model: 'm', prompt: 'p', headers: {}, timeout: 1000, count_reasoning: false, extra_body: {} } as never, { maxConcurrency: 1 });
const consumerOf = (tl: TimelineBuilder) => (client as unknown as { consumer(tl: TimelineBuilder): BodyConsumer }).consumer(tl);
const event = (k: number) => `data: {"id":"chatcmpl-17","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"content":" t${k}"},"logprobs":null,"finish_reason":null}]}\n\n`;
const roleChunk = Buffer.from(`data: {"id":"chatcmpl-17","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`);

/** ns per content event for answers of `events` events read `perChunk` at a time, over `requests` requests (the first fifth not timed). */
function nsPerEvent(perChunk: number, events: number, requests: number): number {
  const chunks: Buffer[] = [];
  for (let i = 0; i < events; i += perChunk) {
    let s = '';
    for (let k = i; k < Math.min(events, i + perChunk); k++) s += event(k);
    chunks.push(Buffer.from(s));
  }
  const shared = Buffer.alloc(64 * 1024);
  let startMs = 0;
  let timed = 0;
  for (let r = 0; r < requests; r++) {
    if (r === Math.floor(requests / 5)) {
      startMs = performance.now();
      timed = 0;
    }
    const tl = new TimelineBuilder(r);
    const consumer = consumerOf(tl);
    consumer.chunk(roleChunk, 0);
    for (const c of chunks) {
      c.copy(shared, 7);
      // (A consumer without ranges, as before the byte path, gets a view.)
      if (consumer.chunkRange) consumer.chunkRange(shared, 7, 7 + c.byteLength, 1);
      else consumer.chunk(shared.subarray(7, 7 + c.byteLength), 1);
      tl.sealChunk();
    }
    if (tl.finish('ok').text!.length === 0) throw new Error('no text read');
    timed += events;
  }
  return ((performance.now() - startMs) * 1e6) / timed;
}

const rounds = Number(values.rounds);
const one: number[] = [];
const big: number[] = [];
const perRequest: number[] = [];
for (let round = 0; round < rounds; round++) {
  one.push(nsPerEvent(1, 32, 40_000));
  big.push(nsPerEvent(256, 256, 4_000));
  // Two-event answers: what a request costs the consumer beyond its events (set-up, the layout learned, finishing).
  perRequest.push(nsPerEvent(1, 2, 200_000) * 2);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  [
    `OpenAI stream consumer, in process (${await machineLoad()})`,
    `one event a chunk:   ${median(one).toFixed(0)} ns an event (rounds: ${one.map((x) => x.toFixed(0)).join(', ')})`,
    `256 events a chunk:  ${median(big).toFixed(0)} ns an event (rounds: ${big.map((x) => x.toFixed(0)).join(', ')})`,
    `a two-event answer:  ${(median(perRequest) / 1000).toFixed(1)} µs a request (rounds: ${perRequest.map((x) => (x / 1000).toFixed(1)).join(', ')})`,
  ].join('\n') + '\n',
);
