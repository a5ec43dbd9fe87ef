import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import type { RawData, WebSocketServer } from 'ws';
import { nowMs } from '../model/clock.js';
import type { ServerState } from './route-context.js';

/**
 * WebSocket endpoints on the reference server's port (the HTTP server's `upgrade` event):
 *   /ws/generate  each JSON message `{prompt?, max_tokens?}` starts a generation streamed as
 *                 `{"token": " word"}` messages (per the server's ttft/itl/tokens settings),
 *                 then `{"done": true, "usage": {"completion_tokens": N}, "id": "ws-7"}`;
 *   /ws/echo      every message comes back (as `{"echo": ..., "id": ...}`) after the echo delay.
 * Each message-request is a ground-truth record ("ws-N"), content stamped right before each send.
 */
export function attachWebSocketEndpoints(server: Server, state: ServerState): void {
  // ws loads at the first upgrade: most reference-server runs never open a WebSocket.
  let wss: WebSocketServer | undefined;
  let next = 1;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://reference.invalid').pathname;
    if (path !== '/ws/generate' && path !== '/ws/echo') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss ??= new (createRequire(import.meta.url)('ws') as typeof import('ws')).WebSocketServer({ noServer: true, perMessageDeflate: false });
    wss.handleUpgrade(request, socket, head, (ws) => {
      const timers = new Set<NodeJS.Timeout>();
      ws.on('close', () => timers.forEach(clearTimeout));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const receivedMs = nowMs();
        const id = `ws-${next++}`;
        const truth = state.groundTruth.start(id, `WS ${path}`, path, receivedMs);
        const at = (ms: number, fn: () => void) => {
          const t = setTimeout(() => {
            timers.delete(t);
            if (ws.readyState === ws.OPEN) fn();
            else truth.end('client-disconnected');
          }, Math.max(0, ms - nowMs()));
          timers.add(t);
        };
        const text = isBinary ? undefined : data.toString();
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { prompt: text };
        }
        if (path === '/ws/echo') {
          const plan = state.planner.drawDelayPlan();
          at(receivedMs + plan.delayMs, () => {
            truth.mark('content', { tokens: 1 });
            ws.send(JSON.stringify({ echo: isBinary ? `<${(data as Buffer).length} bytes>` : body, id }));
            truth.end('completed');
          });
          return;
        }
        const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
        const plan = state.planner.drawStreamPlan({ maxTokens, ignoreEos: body.ignore_eos === true }, state.generationsInFlight);
        truth.plan(plan);
        state.generationsInFlight++;
        // One timer at a time, each set when the previous write is done: timers set together with
        // fractional delays can fire out of order, and the stream must not.
        const chunks: { dueMs: number; text: string; tokens: number }[] = [];
        let dueMs = receivedMs + plan.ttftMs;
        for (let i = 0; i < plan.outputTokens; i += plan.tokensPerChunk) {
          const tokens = plan.tokenTexts.slice(i, i + plan.tokensPerChunk);
          chunks.push({ dueMs, text: tokens.join(''), tokens: tokens.length });
          for (let k = i; k < i + plan.tokensPerChunk && k < plan.itlMs.length; k++) dueMs += plan.itlMs[k]!;
        }
        let nextChunk = 0;
        const writeNext = () => {
          const chunk = chunks[nextChunk++];
          if (chunk) {
            truth.mark('content', { tokens: chunk.tokens, text: chunk.text });
            ws.send(JSON.stringify({ token: chunk.text }));
          }
          if (nextChunk < chunks.length) return at(chunks[nextChunk]!.dueMs, writeNext);
          truth.mark('done');
          ws.send(JSON.stringify({ done: true, usage: { completion_tokens: plan.outputTokens }, id, finish_reason: plan.finishReason }));
          truth.end('completed');
          state.generationsInFlight--;
        };
        at(chunks[0]?.dueMs ?? dueMs, writeNext);
      });
    });
  });
}
