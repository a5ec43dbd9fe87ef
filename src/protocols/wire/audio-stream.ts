import { AudioAccounting, audioMetrics, type AudioFormat } from '../../measure/audio.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { CompiledTemplate } from '../../scenario/template.js';
import { DEFAULT_SPEECH_TEXT } from '../../scenario/standard-texts.js';
import { errorMessageOf, type BodyConsumer } from './http-exchange.js';
import { SseReader } from './sse.js';
import type { TemplateVars } from '../types.js';

/** How audio travels in the response body. */
export interface AudioFraming {
  kind: 'raw' | 'sse' | 'ndjson';
  /** sse/ndjson: dotted path to the base64 audio in an event's JSON. */
  audioField: string;
  /** sse/ndjson: the event that ends the stream; absent = the body's end. */
  done?: { field: string; value: string };
}

/** The text a speech request speaks: the target's template, else the row's `text`, else a standard sentence. */
export function inputText(template: CompiledTemplate | undefined, vars: TemplateVars): string {
  if (template) return String(template(vars));
  const row = vars.row;
  const fromRow = row?.text ?? row?.input;
  return typeof fromRow === 'string' ? fromRow : DEFAULT_SPEECH_TEXT;
}

export function pcmFormat(t: { sample_rate: number; sample_width: number; channels: number }): AudioFormat {
  return { container: 'pcm', sampleRate: t.sample_rate, sampleWidthBytes: t.sample_width, channels: t.channels };
}

/** The value at a dotted path ("data.audio", "choices.0.audio"), or undefined. */
export function valueAtPath(json: unknown, path: string): unknown {
  let cur: unknown = json;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * Follows one audio response: every chunk (raw) or decoded base64 delta (sse/ndjson) goes
 * through {@link AudioAccounting}; a content event is recorded only for chunks that
 * completed a whole sample, so `ttft` equals `ttfc`. At the end the audio metrics go into
 * `extra`, where the Recorder picks them up.
 */
export function audioConsumer(tl: TimelineBuilder, format: AudioFormat, framing: AudioFraming): BodyConsumer {
  const audio = new AudioAccounting(format);
  let failure: string | undefined;
  let doneAtMs: number | undefined;
  const addAudio = (bytes: Uint8Array, atMs: number) => {
    tl.event(atMs);
    const frames = audio.feed(bytes, atMs);
    if (frames > 0) {
      tl.t.sampleRateHz ??= audio.summary().sampleRate;
      tl.samples(frames, atMs);
    }
  };
  const onJson = (text: string, atMs: number) => {
    if (doneAtMs !== undefined || failure) return;
    if (text.trim() === '[DONE]') {
      doneAtMs = atMs;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      failure = `invalid JSON in audio event: ${text.slice(0, 200)}`;
      return;
    }
    const type = valueAtPath(json, 'type');
    if ((json as { error?: unknown }).error !== undefined || type === 'error') {
      failure = `server error mid-stream: ${errorMessageOf(JSON.stringify(json))}`;
      return;
    }
    const b64 = valueAtPath(json, framing.audioField);
    if (typeof b64 === 'string' && b64.length > 0) addAudio(Buffer.from(b64, 'base64'), atMs);
    else tl.event(atMs);
    if (framing.done && String(valueAtPath(json, framing.done.field)) === framing.done.value) doneAtMs = atMs;
  };
  const sse = framing.kind === 'sse' ? new SseReader((ev, atMs) => onJson(ev.data, atMs)) : undefined;
  const ndjsonDecoder = new TextDecoder();
  let ndjsonRest = '';
  return {
    chunk(data, atMs) {
      if (framing.kind === 'raw') addAudio(data, atMs);
      else if (sse) sse.feed(data, atMs);
      else {
        const lines = (ndjsonRest + ndjsonDecoder.decode(data, { stream: true })).split('\n');
        ndjsonRest = lines.pop()!;
        for (const line of lines) if (line.trim()) onJson(line, atMs);
      }
      return doneAtMs !== undefined || failure !== undefined;
    },
    end(atMs) {
      sse?.end(atMs);
      if (ndjsonRest.trim()) onJson(ndjsonRest, atMs);
      const endMs = doneAtMs ?? atMs;
      const summary = audio.summary();
      if (failure) return { outcome: 'protocol_error', error: failure };
      if (summary.error) return { outcome: 'protocol_error', error: summary.error };
      if (framing.done && doneAtMs === undefined) {
        return { outcome: 'protocol_error', error: `audio stream ended before its ${framing.done.field}=${framing.done.value} event` };
      }
      if (summary.frames === 0) return { outcome: 'protocol_error', error: `no audio received (${summary.audioBytes} audio bytes, no whole sample)` };
      const startMs = tl.t.scheduledMs ?? tl.t.sentMs;
      for (const [name, value] of Object.entries(audioMetrics(summary, startMs, endMs))) tl.extra(name, value);
      return { outcome: 'ok' };
    },
  };
}
