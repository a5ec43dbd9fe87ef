import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleepUntil } from '../../src/model/clock.js';
import { RequestPlanner, resolveServerOptions, serve, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/index.js';
import { postAndCollectRaw, postJson, readSse } from './sse-reader.js';

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ReferenceServerOptions>): Promise<ReferenceServer> {
  server = await serve(options);
  return server;
}

const streamBody = { messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: {} };
const requestId = (response: Response) => response.headers.get('x-inferbench-request-id')!;

describe('injected faults', () => {
  it('answers the error fault before streaming with the configured status and vLLM error JSON', async () => {
    const { url, groundTruth } = await start({ errorRate: 1 });
    const response = await postJson(`${url}/v1/chat/completions`, streamBody);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: 'InternalServerError', param: null, code: 500 } });
    expect(groundTruth.get(requestId(response))).toMatchObject({ fault: 'error', status: 500, outputTokens: 0, events: [{ kind: 'error' }] });
  });

  it('fails exactly the requests the seed picks, in request order', async () => {
    const options = { seed: 77, errorRate: 0.3, echoDelayMs: 0 };
    const predictor = new RequestPlanner(resolveServerOptions(options));
    const predicted = Array.from({ length: 40 }, () => predictor.drawDelayPlan().fault.kind === 'error');
    const { url, groundTruth } = await start(options);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${url}/echo`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.map((status) => status === 500)).toEqual(predicted);
    expect(groundTruth.all().map((record) => record.fault === 'error')).toEqual(predicted);
    expect(predicted.filter(Boolean).length).toBeGreaterThan(5);
  });

  it('destroys the connection mid-stream after the planned tokens, and records it', async () => {
    const { url, groundTruth } = await start({ midStreamCloseRate: 1, ttftMs: 1, itlMs: 1, outputTokens: 12 });
    const { raw, aborted, requestId: id } = await postAndCollectRaw(`${url}/v1/chat/completions`, streamBody);
    expect(aborted).toBe(true);
    expect(raw).not.toContain('[DONE]');
    const record = await groundTruth.whenEnded(id!);
    expect(record).toMatchObject({ fault: 'mid-stream-close', endReason: 'connection-destroyed', status: 200 });
    expect(record!.outputTokens).toBe(record!.faultAfterTokens);
    // Every token written before the destroy reached the client (plus the role chunk).
    expect(raw.split('\n\n').filter((event) => event.startsWith('data: ')).length - 1).toBe(record!.faultAfterTokens);
  });

  it('sends the vLLM mid-stream error event (json.dumps spacing) and then [DONE]', async () => {
    const { url, groundTruth } = await start({ midStreamErrorRate: 1, ttftMs: 1, itlMs: 1, outputTokens: 12 });
    const response = await postJson(`${url}/v1/chat/completions`, streamBody);
    const { raw, error } = await readSse(response);
    expect(error).toBeUndefined();
    expect(raw).toMatch(
      /data: \{"error": \{"message": "[^"]+", "type": "InternalServerError", "param": null, "code": 500\}\}\n\ndata: \[DONE\]\n\n$/,
    );
    expect(raw).not.toContain('"usage"');
    const record = groundTruth.get(requestId(response))!;
    expect(record).toMatchObject({ fault: 'mid-stream-error', endReason: 'completed' });
    expect(record.events.slice(-2).map((event) => event.kind)).toEqual(['error', 'done']);
    expect(record.outputTokens).toBe(record.faultAfterTokens);
  });

  it('keeps a stalled stream open past its planned end, until the server closes', async () => {
    const { url, groundTruth } = await start({ stallRate: 1, ttftMs: 2, itlMs: 2, outputTokens: 8 });
    const response = await postJson(`${url}/v1/chat/completions`, streamBody);
    const reading = readSse(response);
    const record = groundTruth.get(requestId(response))!;
    // Waiting for a deadline, not for an event: the point is that nothing happens by then.
    await sleepUntil(record.receivedMs + 2 + 7 * 2 + 100);
    expect(record.endMs).toBeNull();
    expect(record.outputTokens).toBe(record.faultAfterTokens);
    expect(record.events.some((event) => event.kind === 'done')).toBe(false);
    await server!.close();
    const { error } = await reading;
    expect(error).toBeDefined();
    expect(record.endReason).toBe('server-closed');
  });

  it('ends a stalled stream when the client leaves', async () => {
    const { url, groundTruth } = await start({ stallRate: 1, ttftMs: 1, itlMs: 1, outputTokens: 4 });
    const client = new AbortController();
    const response = await postJson(`${url}/v1/chat/completions`, streamBody, { signal: client.signal });
    await readSse(response, () => client.abort());
    const record = await groundTruth.whenEnded(requestId(response));
    expect(record).toMatchObject({ fault: 'stall', endReason: 'client-disconnected' });
  });

  it('records a client that leaves halfway through sending its body, without logging a server error', async () => {
    const { url, groundTruth } = await start({});
    const logged = vi.spyOn(console, 'error');
    const request = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-length': '1000' } });
    request.on('error', () => {});
    request.write('{"messages":');
    // The record opens when the server has the request's headers; leave only after that.
    while (groundTruth.size === 0) await new Promise((resolve) => setImmediate(resolve));
    request.destroy();
    const record = await groundTruth.whenEnded(groundTruth.all()[0]!.id);
    expect(record).toMatchObject({ endReason: 'client-disconnected', status: null });
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it('applies faults to stream:false answers too', async () => {
    const errorServer = await start({ midStreamErrorRate: 1, ttftMs: 1, itlMs: 1, outputTokens: 5 });
    const failed = await postJson(`${errorServer.url}/v1/completions`, { prompt: 'x' });
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { type: string } }).error.type).toBe('InternalServerError');
    await errorServer.close();
    const closeServer = await start({ midStreamCloseRate: 1, ttftMs: 1, itlMs: 1, outputTokens: 5 });
    await expect(postJson(`${closeServer.url}/v1/completions`, { prompt: 'x' })).rejects.toThrow();
    expect(closeServer.groundTruth.all()[0]).toMatchObject({ fault: 'mid-stream-close', endReason: 'connection-destroyed', status: null });
  });

  it('grows TTFT by ttftPerInFlightMs for each other request in flight', async () => {
    const { url, groundTruth } = await start({ ttftMs: 30, ttftPerInFlightMs: 10, itlMs: 0, outputTokens: 1 });
    await Promise.all([0, 1, 2].map(async () => readSse(await postJson(`${url}/v1/chat/completions`, streamBody))));
    expect(groundTruth.all().map((record) => (record.plan?.kind === 'stream' ? record.plan.ttftMs : NaN))).toEqual([30, 40, 50]);
    // Once they have ended, nothing is in flight.
    await readSse(await postJson(`${url}/v1/chat/completions`, streamBody));
    expect(groundTruth.all().at(-1)!.plan).toMatchObject({ ttftMs: 30 });
  });
});

describe('close()', () => {
  it('ends every open stream at once and resolves promptly', async () => {
    const { url, groundTruth } = await start({ ttftMs: 10_000 });
    const responses = await Promise.all([0, 1, 2].map(() => postJson(`${url}/v1/chat/completions`, streamBody)));
    const readings = responses.map((response) => readSse(response));
    const keepAlive = await fetch(`${url}/health`); // an idle keep-alive connection must not hold close() up
    await keepAlive.arrayBuffer();
    const startedMs = performance.now();
    await server!.close();
    expect(performance.now() - startedMs).toBeLessThan(1000);
    for (const { error } of await Promise.all(readings)) expect(error).toBeDefined();
    expect(groundTruth.all().map((record) => record.endReason)).toEqual(['server-closed', 'server-closed', 'server-closed']);
    await server!.close(); // twice is fine
  });
});
