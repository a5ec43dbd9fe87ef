import { afterEach, describe, expect, it } from 'vitest';
import { serve, type GroundTruthRecord, type ReferenceServer } from '../../src/server/index.js';
import { postJson, readSse } from './sse-reader.js';

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('echo, health, models and ground-truth routes', () => {
  it('echoes a JSON body after the drawn delay, with ground truth', async () => {
    server = await serve({ echoDelayMs: 15 });
    const response = await postJson(`${server.url}/echo`, { prompt: 'hello', n: 2 });
    const id = response.headers.get('x-inferbench-request-id')!;
    expect(await response.json()).toEqual({ echo: { prompt: 'hello', n: 2 }, id });
    const record = server.groundTruth.get(id)!;
    expect(record).toMatchObject({ route: 'POST /echo', status: 200, fault: 'none', endReason: 'completed', plan: { kind: 'delay', delayMs: 15 } });
    expect(record.events[0]!.atMs - record.receivedMs).toBeGreaterThan(15 - 1.5);
  });

  it('echoes the query on GET and non-JSON bodies as text', async () => {
    server = await serve({});
    expect(await (await fetch(`${server.url}/echo?a=1&b=x`)).json()).toMatchObject({ echo: { a: '1', b: 'x' } });
    expect(await (await fetch(`${server.url}/echo`, { method: 'POST', body: 'plain words' })).json()).toMatchObject({ echo: 'plain words' });
  });

  it('honours the error fault on /echo with the vLLM error shape', async () => {
    server = await serve({ errorRate: 1, errorStatus: 503 });
    const response = await postJson(`${server.url}/echo`, {});
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { message: expect.stringContaining('injected error'), type: 'ServiceUnavailableError', param: null, code: 503 },
    });
    expect(server.groundTruth.all()[0]).toMatchObject({ fault: 'error', status: 503, events: [{ kind: 'error' }] });
  });

  it('serves /health and /v1/models without recording them, with a request id on every response', async () => {
    server = await serve({ model: 'org/model-7b' });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');
    const models = await fetch(`${server.url}/v1/models`);
    expect(await models.json()).toMatchObject({ object: 'list', data: [{ id: 'org/model-7b', object: 'model' }] });
    const missing = await fetch(`${server.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    for (const response of [health, models, missing, wrongMethod]) expect(response.headers.get('x-inferbench-request-id')).toMatch(/^\d+$/);
    expect(server.groundTruth.size).toBe(0);
  });

  it('serves records over HTTP in arrival order, one by id, and clears them', async () => {
    server = await serve({ ttftMs: 1, itlMs: 0, outputTokens: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postJson(`${server.url}/v1/chat/completions`, { messages: [], stream: true });
      ids.push(response.headers.get('x-inferbench-request-id')!);
      await readSse(response);
    }
    const all = (await (await fetch(`${server.url}/ground-truth`)).json()) as GroundTruthRecord[];
    expect(all.map((record) => record.id)).toEqual(ids);
    expect(all[0]!.timeOriginMs).toBe(performance.timeOrigin);
    expect(all[0]!.receivedEpochMs).toBeCloseTo(all[0]!.timeOriginMs + all[0]!.receivedMs, 3);
    const one = (await (await fetch(`${server.url}/ground-truth/${ids[1]}`)).json()) as GroundTruthRecord;
    expect(one).toEqual(server.groundTruth.get(ids[1]!));
    expect((await fetch(`${server.url}/ground-truth/nope`)).status).toBe(404);
    expect(await (await fetch(`${server.url}/ground-truth`, { method: 'DELETE' })).json()).toEqual({ cleared: 3 });
    expect(server.groundTruth.all()).toEqual([]);
  });

  it('keeps only the newest maxGroundTruthRecords records', async () => {
    server = await serve({ maxGroundTruthRecords: 2 });
    for (let i = 0; i < 4; i++) await (await fetch(`${server.url}/echo`)).text();
    expect(server.groundTruth.all().map((record) => record.id)).toEqual(['3', '4']);
  });

  it('lets later work add routes that share the plans and ground truth', async () => {
    server = await serve({ ttftMs: 3, itlMs: 0, outputTokens: 2 });
    server.addRoute('GET', '/custom/:name', (context) => {
      const plan = context.drawStreamPlan();
      context.sendJson(200, { name: context.params.name, tokens: plan.outputTokens }, 'content', { tokens: plan.outputTokens });
    });
    const response = await fetch(`${server.url}/custom/tts`);
    expect(await response.json()).toEqual({ name: 'tts', tokens: 2 });
    expect(server.groundTruth.get(response.headers.get('x-inferbench-request-id')!)).toMatchObject({ route: 'GET /custom/:name', outputTokens: 2 });
  });
});
