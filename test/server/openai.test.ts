import { afterEach, describe, expect, it } from 'vitest';
import { serve, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/index.js';
import { postJson, readSse } from './sse-reader.js';

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ReferenceServerOptions>): Promise<ReferenceServer> {
  server = await serve(options);
  return server;
}

interface ErrorBody {
  error: { type: string; message: string };
}

const chatBody = { model: 'test-model', messages: [{ role: 'user', content: 'say five words' }], stream: true, stream_options: { include_usage: true } };

describe('OpenAI chat completions, vLLM byte layout', () => {
  it('streams role chunk, token chunks, finish, usage and [DONE] exactly as vLLM frames them', async () => {
    const { url, groundTruth } = await start({ ttftMs: 5, itlMs: 1, outputTokens: 3 });
    const response = await postJson(`${url}/v1/chat/completions`, chatBody);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const id = response.headers.get('x-inferbench-request-id')!;
    const { raw } = await readSse(response);
    const record = groundTruth.get(id)!;
    const created = JSON.parse(raw.slice(6, raw.indexOf('\n'))).created as number;
    const head = `{"id":"chatcmpl-${id}","object":"chat.completion.chunk","created":${created},"model":"test-model"`;
    const [one, two, three] = record.text.match(/ \w+/g)!;
    expect(raw).toBe(
      `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"prompt_token_ids":null}\n\n` +
        `data: ${head},"choices":[{"index":0,"delta":{"content":"${one}"},"logprobs":null,"finish_reason":null,"token_ids":null}]}\n\n` +
        `data: ${head},"choices":[{"index":0,"delta":{"content":"${two}"},"logprobs":null,"finish_reason":null,"token_ids":null}]}\n\n` +
        `data: ${head},"choices":[{"index":0,"delta":{"content":"${three}"},"logprobs":null,"finish_reason":null,"token_ids":null}]}\n\n` +
        `data: ${head},"choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null,"token_ids":null}]}\n\n` +
        `data: ${head},"choices":[],"usage":{"prompt_tokens":3,"total_tokens":6,"completion_tokens":3}}\n\n` +
        'data: [DONE]\n\n',
    );
    expect(record.events.map((event) => event.kind)).toEqual(['role', 'content', 'content', 'content', 'finish', 'usage', 'done']);
    expect(record).toMatchObject({ status: 200, fault: 'none', outputTokens: 3, endReason: 'completed', route: 'POST /v1/chat/completions' });
  });

  it('puts finish_reason "length" on the last token chunk at max_tokens, with no empty finish chunk', async () => {
    const { url } = await start({ ttftMs: 1, itlMs: 0, outputTokens: 50 });
    const { events } = await readSse(await postJson(`${url}/v1/chat/completions`, { ...chatBody, max_tokens: 2 }));
    const payloads = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(payloads.map((chunk) => (chunk.choices.length ? chunk.choices[0].finish_reason : 'usage'))).toEqual([null, null, 'length', 'usage']);
    expect(payloads[2].choices[0].delta.content).toMatch(/^ \w+$/);
    expect(payloads[3].usage.completion_tokens).toBe(2);
    expect(events.at(-1)!.data).toBe('[DONE]');
  });

  it('sends usage for stream_options:{} (vLLM default) and none without stream_options', async () => {
    const { url } = await start({ ttftMs: 0, itlMs: 0, outputTokens: 2 });
    const withEmptyOptions = await readSse(await postJson(`${url}/v1/chat/completions`, { ...chatBody, stream_options: {} }));
    expect(withEmptyOptions.raw).toContain('"usage":{"prompt_tokens"');
    const { stream_options: _omitted, ...noOptions } = chatBody;
    const without = await readSse(await postJson(`${url}/v1/chat/completions`, noOptions));
    expect(without.raw).not.toContain('usage');
    expect(without.events.at(-1)!.data).toBe('[DONE]');
  });

  it('stamps ground truth just before each write: monotonic, gaps as planned, and the client sees each event right after', async () => {
    const itlMs = 8;
    const { url, groundTruth } = await start({ ttftMs: 40, itlMs, outputTokens: 20 });
    const response = await postJson(`${url}/v1/chat/completions`, chatBody);
    const { events } = await readSse(response);
    const record = groundTruth.get(response.headers.get('x-inferbench-request-id')!)!;
    const times = record.events.map((event) => event.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(record.headersMs!).toBeGreaterThanOrEqual(record.receivedMs);
    expect(times[0]!).toBeGreaterThanOrEqual(record.headersMs!);
    expect(record.endMs!).toBeGreaterThanOrEqual(times.at(-1)!);

    const content = record.events.filter((event) => event.kind === 'content');
    // Timers may fire up to 1 ms early (libuv's integer clock) and late under load; targets are absolute, so lateness never accumulates.
    const firstTokenLateMs = content[0]!.atMs - (record.receivedMs + 40);
    expect(firstTokenLateMs).toBeGreaterThan(-1.5);
    expect(firstTokenLateMs).toBeLessThan(25);
    const lastTokenLateMs = content.at(-1)!.atMs - (record.receivedMs + 40 + 19 * itlMs);
    expect(lastTokenLateMs).toBeGreaterThan(-1.5);
    expect(lastTokenLateMs).toBeLessThan(25);
    const gaps = content.slice(1).map((event, i) => event.atMs - content[i]!.atMs);
    const meanGapMs = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    expect(meanGapMs).toBeGreaterThan(itlMs - 1);
    expect(meanGapMs).toBeLessThan(itlMs + 2);

    // Same process, same clock: the client's arrival time minus the server's write time is loopback delivery.
    expect(events).toHaveLength(record.events.length);
    events.forEach((event, i) => {
      const deliveryMs = event.arrivedMs - record.events[i]!.atMs;
      expect(deliveryMs).toBeGreaterThanOrEqual(0);
      expect(deliveryMs).toBeLessThan(20);
    });
    expect(record.plan).toMatchObject({ kind: 'stream', ttftMs: 40, outputTokens: 20, itlMs: Array(19).fill(itlMs) });
  });

  it('sends the role chunk with the first token by default (as vLLM), or with the headers when asked', async () => {
    for (const roleChunkAt of ['first-token', 'headers'] as const) {
      const { url, groundTruth } = await start({ ttftMs: 30, itlMs: 1, outputTokens: 2, roleChunkAt });
      const response = await postJson(`${url}/v1/chat/completions`, chatBody);
      await readSse(response);
      const record = groundTruth.get(response.headers.get('x-inferbench-request-id')!)!;
      const [role, firstToken] = record.events;
      expect([role!.kind, firstToken!.kind]).toEqual(['role', 'content']);
      if (roleChunkAt === 'headers') expect(firstToken!.atMs - role!.atMs).toBeGreaterThan(20);
      else expect(firstToken!.atMs - role!.atMs).toBeLessThan(1);
      expect(firstToken!.atMs - record.receivedMs).toBeGreaterThan(30 - 1.5);
      await server!.close();
    }
  });

  it('answers stream:false with one chat.completion after the whole generation time', async () => {
    const { url, groundTruth } = await start({ ttftMs: 20, itlMs: 2, outputTokens: 6 });
    const response = await postJson(`${url}/v1/chat/completions`, { ...chatBody, stream: false, stream_options: undefined });
    const body = await response.json();
    const record = groundTruth.get(response.headers.get('x-inferbench-request-id')!)!;
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: record.text }, finish_reason: 'stop' }],
      usage: { completion_tokens: 6 },
    });
    expect(record.events).toHaveLength(1);
    expect(record.events[0]).toMatchObject({ kind: 'content', tokens: 6 });
    expect(record.events[0]!.atMs - record.receivedMs).toBeGreaterThan(20 + 5 * 2 - 1.5);
  });

  it('refuses stream_options without stream, as vLLM does', async () => {
    const { url } = await start({});
    const response = await postJson(`${url}/v1/chat/completions`, { ...chatBody, stream: false });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: 'Stream options can only be defined when `stream=True`.', type: 'BadRequestError', param: null, code: 400 },
    });
  });

  it('answers malformed requests with 400 and vLLM error JSON', async () => {
    const { url } = await start({});
    const badJson = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as ErrorBody).error.type).toBe('BadRequestError');
    const badMax = await postJson(`${url}/v1/chat/completions`, { ...chatBody, max_tokens: 0 });
    expect(badMax.status).toBe(400);
    expect(((await badMax.json()) as ErrorBody).error.message).toMatch(/max_tokens/);
  });
});

describe('OpenAI completions, vLLM byte layout', () => {
  it('streams text_completion chunks with every field present and usage:null, then finish, usage, [DONE]', async () => {
    const { url, groundTruth } = await start({ ttftMs: 1, itlMs: 1, outputTokens: 2 });
    const response = await postJson(`${url}/v1/completions`, { model: 'm', prompt: 'once upon', stream: true, stream_options: {} });
    const id = response.headers.get('x-inferbench-request-id')!;
    const { raw } = await readSse(response);
    const created = JSON.parse(raw.slice(6, raw.indexOf('\n'))).created as number;
    const head = `{"id":"cmpl-${id}","object":"text_completion","created":${created},"model":"m"`;
    const [one, two] = groundTruth.get(id)!.text.match(/ \w+/g)!;
    const choice = (text: string, finish: string) =>
      `data: ${head},"choices":[{"index":0,"text":"${text}","logprobs":null,"finish_reason":${finish},"stop_reason":null,"prompt_token_ids":null,"token_ids":null}],"usage":null}\n\n`;
    expect(raw).toBe(
      choice(one!, 'null') +
        choice(two!, 'null') +
        choice('', '"stop"') +
        `data: ${head},"choices":[],"usage":{"prompt_tokens":2,"total_tokens":4,"completion_tokens":2}}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('answers stream:false with a text_completion object', async () => {
    const { url } = await start({ ttftMs: 0, itlMs: 0, outputTokens: 4 });
    const body = (await (await postJson(`${url}/v1/completions`, { prompt: 'x', max_tokens: 3, ignore_eos: true })).json()) as { choices: { text: string }[] };
    expect(body).toMatchObject({ object: 'text_completion', model: 'inferbench/reference', choices: [{ finish_reason: 'length' }], usage: { completion_tokens: 3 } });
    expect(body.choices[0].text.match(/ \w+/g)).toHaveLength(3);
  });
});

describe('token packing and determinism', () => {
  it('packs tokensPerChunk tokens per event and still reports the true token count', async () => {
    const { url, groundTruth } = await start({ ttftMs: 1, itlMs: 1, outputTokens: 10, tokensPerChunk: 3 });
    const response = await postJson(`${url}/v1/chat/completions`, chatBody);
    const { events } = await readSse(response);
    const record = groundTruth.get(response.headers.get('x-inferbench-request-id')!)!;
    expect(record.events.filter((event) => event.kind === 'content').map((event) => event.tokens)).toEqual([3, 3, 3, 1]);
    const contents = events.slice(1, 5).map((event) => JSON.parse(event.data).choices[0].delta.content as string);
    expect(contents.map((text) => text.match(/ \w+/g)!.length)).toEqual([3, 3, 3, 1]);
    expect(contents.join('')).toBe(record.text);
    expect(JSON.parse(events.at(-2)!.data).usage.completion_tokens).toBe(10);
  });

  it('gives two servers with the same seed the same text and plans, request by request', async () => {
    const options = { seed: 11, ttftMs: 'uniform:1ms:3ms', itlMs: 'uniform:0ms:1ms', outputTokens: 'uniform:3:8' };
    const texts: string[][] = [];
    const plans: unknown[][] = [];
    for (let run = 0; run < 2; run++) {
      const { url, groundTruth } = await start(options);
      for (let i = 0; i < 3; i++) await readSse(await postJson(`${url}/v1/chat/completions`, chatBody));
      texts.push(groundTruth.all().map((record) => record.text));
      plans.push(groundTruth.all().map((record) => record.plan));
      await server!.close();
    }
    expect(texts[1]).toEqual(texts[0]);
    expect(plans[1]).toEqual(plans[0]);
    expect(new Set(texts[0]).size).toBe(3);
  });
});
