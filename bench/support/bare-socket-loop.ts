/**
 * The floor for SSE client cost: N keep-alive sockets, each sending the same request bytes and
 * reading the answer to its content-length, with no HTTP parser beyond finding that header and
 * nothing done with the body: no SSE parsing, no JSON, no timestamps.
 *   tsx bench/support/bare-socket-loop.ts URL STREAMS DURATION_S EVENTS_PER_ANSWER → JSON
 */
import { connect } from 'node:net';

const [url, streams, durationS, eventsPerAnswer] = process.argv.slice(2);
const target = new URL(url!);
const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'hi' }] });
const request = Buffer.from(`POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
let answers = 0;
let bytes = 0;
const startMs = performance.now();
const endMs = startMs + Number(durationS) * 1000;

function stream(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    let head = '';
    let remaining = -1;
    socket.on('data', (data: Buffer) => {
      bytes += data.length;
      let rest = data.length;
      if (remaining < 0) {
        head += data.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        remaining = Number(/content-length:\s*(\d+)/i.exec(head.slice(0, end))![1]);
        rest = head.length - end - 4;
        head = '';
      }
      remaining -= rest;
      if (remaining > 0) return;
      answers++;
      remaining = -1;
      if (performance.now() < endMs) socket.write(request);
      else socket.end(resolve);
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

await Promise.all(Array.from({ length: Number(streams) }, stream));
const seconds = (performance.now() - startMs) / 1000;
process.stdout.write(JSON.stringify({ eventsPerSecond: (answers * Number(eventsPerAnswer)) / seconds, answers, bytes, seconds }) + '\n');
