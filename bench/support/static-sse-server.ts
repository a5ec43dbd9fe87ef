/**
 * A server that costs almost nothing per event: every POST gets the same pre-built vLLM-style
 * SSE body (role chunk, N one-token content chunks, finish chunk, usage, [DONE]) in one write,
 * so a client reading it is what limits the event rate. Run in its own process:
 *   tsx bench/support/static-sse-server.ts EVENTS   → prints "listening on http://127.0.0.1:PORT"
 */
import { createServer } from 'node:http';

const events = Number(process.argv[2] ?? 256);
const id = 'chatcmpl-bench';
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const parts = [chunk({ role: 'assistant', content: '' })];
for (let i = 0; i < events; i++) parts.push(chunk({ content: ` t${i % 10}` }));
parts.push(chunk({}, 'length'));
parts.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [], usage: { prompt_tokens: 8, completion_tokens: events, total_tokens: events + 8 } })}\n\n`);
parts.push('data: [DONE]\n\n');
const body = Buffer.from(parts.join(''));

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 600_000;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port} (${events} content events per answer, ${body.length} bytes)\n`);
});
process.on('SIGTERM', () => process.exit(0));
