/**
 * The answers bench/limits.ts sends to the client, from a process of its own:
 *   POST /v1/chat/completions?case=one-mb-event   one chat chunk whose content is 1 MiB without whitespace, then [DONE]
 *   POST /v1/chat/completions?mb=100              chat chunks of 1 KiB of text each, `mb` MiB of content in all, then [DONE]
 * Prints "listening on URL", then "sent MB" every 10 MiB written and "done CASE" at each end,
 * so the benchmark can press Ctrl+C at a known point.
 */
import { createServer, type ServerResponse } from 'node:http';

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const END = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;

async function write(res: ServerResponse, text: string): Promise<void> {
  if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

const WORDS = 'the quick brown fox jumps over a lazy dog while benchmarks measure every token '.repeat(14).slice(0, 1024);

const server = createServer(async (req, res) => {
  req.resume();
  await new Promise((resolve) => req.on('end', resolve));
  const url = new URL(req.url ?? '/', 'http://x');
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.on('error', () => undefined);
  const name = url.searchParams.get('case') ?? 'stream';
  if (name === 'one-mb-event') {
    await write(res, chunk('x'.repeat(1 << 20)));
  } else {
    const mb = Number(url.searchParams.get('mb') ?? 100);
    const event = chunk(WORDS);
    for (let kib = 1; kib <= mb * 1024 && !res.destroyed; kib++) {
      await write(res, event);
      if (kib % (10 * 1024) === 0) process.stdout.write(`sent ${kib / 1024}\n`);
    }
  }
  if (res.destroyed) return;
  res.end(END);
  process.stdout.write(`done ${name}\n`);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
