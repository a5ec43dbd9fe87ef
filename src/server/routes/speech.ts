/**
 * Speech (TTS): OpenAI-style `POST /v1/audio/speech` and a generic `POST /tts/stream`, both
 * streaming real audio bytes: a 440 Hz sine as 16-bit mono PCM, raw or in a WAV whose sizes are
 * streaming placeholders (0xFFFFFFFF) with a LIST chunk before `data`, or as base64
 * `speech.audio.delta` SSE events. Timing: the first chunk after the request's TTFT draw
 * (so `ttftPerInFlightMs` applies), each later chunk after its audio time × `ttsRealTimeFactor`.
 * Ground truth marks each audio write as `content` with `tokens` = whole samples it completed.
 */
import { streamingWavHeader } from '../../measure/audio.js';
import { vllmErrorBody } from '../error-body.js';
import { RequestError, type RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const SPEECH_ROUTES = ['POST /v1/audio/speech', 'POST /tts/stream'];
const SINE_HZ = 440;
const AMPLITUDE = 0.3 * 32767;

export function registerSpeechRoutes(router: Router): void {
  router.add('POST', '/v1/audio/speech', (context) => answerSpeech(context, 'openai'));
  router.add('POST', '/tts/stream', (context) => answerSpeech(context, 'generic'));
}

/** Routes whose ground-truth `tokens` are audio samples (the metrics route keeps them apart from text tokens). */
export function isSpeechRoute(route: string): boolean {
  return SPEECH_ROUTES.includes(route);
}

interface SpeechRequest {
  text: string;
  container: 'pcm' | 'wav';
  sse: boolean;
  speed: number;
}

function parseSpeechRequest(body: unknown, api: 'openai' | 'generic', url: URL): SpeechRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'request body must be a JSON object');
  const f = body as Record<string, unknown>;
  const text = api === 'openai' ? f.input : (f.text ?? f.input);
  if (typeof text !== 'string' || text.trim() === '') throw new RequestError(400, `"${api === 'openai' ? 'input' : 'text'}" is required and must be a non-empty string`);
  const format = (api === 'openai' ? f.response_format : (f.format ?? url.searchParams.get('format'))) ?? (api === 'openai' ? 'mp3' : 'wav');
  if (format !== 'pcm' && format !== 'wav') {
    throw new RequestError(400, `the reference server speaks "pcm" or "wav", not ${JSON.stringify(format)}; set response_format to "pcm" or "wav"`);
  }
  const streamFormat = f.stream_format ?? 'audio';
  if (streamFormat !== 'audio' && streamFormat !== 'sse') throw new RequestError(400, `"stream_format" must be "audio" or "sse"`);
  const speed = f.speed === undefined ? 1 : Number(f.speed);
  if (!(speed >= 0.25 && speed <= 4)) throw new RequestError(400, '"speed" must be from 0.25 to 4');
  return { text, container: format, sse: streamFormat === 'sse', speed };
}

/** 16-bit mono sine samples [from, to) of a tone at `rate` Hz. */
function sineBytes(from: number, to: number, rate: number): Buffer {
  const out = Buffer.alloc((to - from) * 2);
  for (let i = from; i < to; i++) out.writeInt16LE(Math.round(AMPLITUDE * Math.sin((2 * Math.PI * SINE_HZ * i) / rate)), (i - from) * 2);
  return out;
}

async function answerSpeech(context: RouteContext, api: 'openai' | 'generic'): Promise<void> {
  const request = parseSpeechRequest(await context.readJson(), api, context.url);
  const s = context.settings;
  const plan = context.drawStreamPlan({ maxTokens: 1 });
  if (plan.fault.kind === 'error') return context.sendJson(s.errorStatus, vllmErrorBody(s.errorStatus, 'inferbench reference server: injected error (errorRate)'), 'error');

  const rate = s.ttsSampleRate;
  const words = request.text.split(/\s+/).filter(Boolean).length;
  const totalSamples = Math.max(1, Math.round((((words * s.ttsMsPerWord) / request.speed) * rate) / 1000));
  const chunkSamples = Math.max(1, Math.round((s.ttsChunkMs * rate) / 1000));
  const chunkCount = Math.ceil(totalSamples / chunkSamples);
  const pcm = sineBytes(0, totalSamples, rate);
  // Byte ranges per chunk; with ttsSplitSamples every inner boundary moves one byte on, mid-sample.
  const shift = s.ttsSplitSamples ? 1 : 0;
  const boundary = (i: number) => (i === 0 ? 0 : i >= chunkCount ? pcm.byteLength : i * chunkSamples * 2 + shift);

  const header = request.container === 'wav' ? streamingWavHeader({ sampleRate: rate, channels: 1, bitsPerSample: 16, placeholder: 0xffff_ffff, listChunk: true }) : undefined;
  const sse = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;
  const delta = (bytes: Buffer) => (request.sse ? sse({ type: 'speech.audio.delta', audio: bytes.toString('base64') }) : bytes);

  const contentType = request.sse ? 'text/event-stream; charset=utf-8' : request.container === 'wav' ? 'audio/wav' : 'audio/pcm';
  context.startStream(200, { 'content-type': contentType });
  // The header leaves with the response headers: it holds no audio, so ttfc must not fire on it.
  if (header) context.writeEvent('role', delta(header));

  let dueMs = context.receivedMs + plan.ttftMs;
  for (let i = 0; i < chunkCount; i++) {
    if (!(await context.waitUntil(dueMs))) return;
    const from = boundary(i);
    const to = boundary(i + 1);
    const samples = Math.floor(to / 2) - Math.floor(from / 2);
    context.writeEvent('content', delta(pcm.subarray(from, to)), { tokens: samples });
    const chunkAudioMs = (Math.min(chunkSamples, totalSamples - i * chunkSamples) / rate) * 1000;
    dueMs += chunkAudioMs * s.ttsRealTimeFactor;
  }
  if (request.sse) {
    const inputTokens = words;
    context.writeEvent('done', sse({ type: 'speech.audio.done', usage: { input_tokens: inputTokens, output_tokens: chunkCount, total_tokens: inputTokens + chunkCount } }));
  }
  context.end();
}
