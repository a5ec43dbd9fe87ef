#!/usr/bin/env node
// A real TTS engine behind an OpenAI-style /v1/audio/speech endpoint: Debian's espeak-ng,
// one process per request, its WAV stdout streamed to the client as it is produced
// (espeak-ng writes placeholder sizes, 0x7FFFF000, because it does not know the length).
// response_format "pcm" strips the header (22050 Hz, 16-bit mono).
// Usage: node examples/tts-espeak/server.mjs [port]   (prints its URL; loopback only)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? process.env.PORT ?? 8091);

const server = createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"POST /v1/audio/speech only"}}');
    return;
  }
  let body;
  try {
    const parts = [];
    for await (const p of req) parts.push(p);
    body = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"body must be JSON"}}');
    return;
  }
  const format = body.response_format ?? 'wav';
  if (typeof body.input !== 'string' || !body.input.trim() || (format !== 'wav' && format !== 'pcm')) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"need input (text) and response_format wav or pcm"}}');
    return;
  }
  const wordsPerMinute = Math.round(175 * (Number(body.speed) || 1));
  const espeak = spawn('espeak-ng', ['--stdout', '-s', String(wordsPerMinute), '-v', typeof body.voice === 'string' && body.voice !== 'alloy' ? body.voice : 'en-us', body.input], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let started = false;
  let header = format === 'pcm' ? Buffer.alloc(0) : undefined;
  espeak.stdout.on('data', (chunk) => {
    if (!started) {
      res.writeHead(200, { 'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm' });
      started = true;
    }
    if (header) {
      // pcm: drop everything up to the end of the "data" chunk header.
      header = Buffer.concat([header, chunk]);
      const at = header.indexOf('data', 12, 'latin1');
      if (at < 0 || header.byteLength < at + 8) return;
      chunk = header.subarray(at + 8);
      header = undefined;
    }
    if (chunk.byteLength) res.write(chunk);
  });
  let stderr = '';
  espeak.stderr.on('data', (d) => (stderr += d));
  espeak.on('error', (err) => {
    if (!started) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `cannot run espeak-ng: ${err.message}` } }));
  });
  espeak.on('close', (code) => {
    if (!started) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `espeak-ng exited ${code}: ${stderr}` } }));
    else res.end();
  });
  res.on('close', () => espeak.kill());
});

server.listen(port, '127.0.0.1', () => {
  console.log(`espeak-ng TTS listening on http://127.0.0.1:${server.address().port}/v1/audio/speech`);
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
