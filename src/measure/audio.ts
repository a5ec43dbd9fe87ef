/**
 * Audio accounting for speech (TTS) streams, from the bytes actually received
 * (the bytes' own format: WAV chunks, or raw PCM at a declared rate).
 *
 * - WAV: the RIFF chunk list is walked to find `fmt ` and `data` (LIST/fact chunks may come
 *   first; no fixed 44-byte header). Streaming producers write placeholder sizes (0,
 *   0xFFFFFFFF, 0x7FFFF000…), so the audio is the bytes received after the `data` chunk
 *   header, capped by its declared size only when that size is a real one.
 * - Raw PCM: the declared sample rate, sample width and channels.
 * - A running byte count across chunks: a chunk may end mid-sample, so frames come from the
 *   total, never per chunk.
 * - Playback model for stalls: playback starts when the first chunk with a whole frame
 *   arrives; a later chunk that arrives after the audio before it would have finished
 *   playing is a stall (the listener hears silence), and playback resumes on its arrival.
 */

/** How the audio bytes are laid out. WAV carries its own rate, width and channels. */
export type AudioFormat =
  | { container: 'wav' }
  | { container: 'pcm'; sampleRate: number; sampleWidthBytes: number; channels: number };

/** OpenAI `response_format: "pcm"`: signed 16-bit little-endian, 24 kHz, mono. */
export const OPENAI_PCM: AudioFormat = { container: 'pcm', sampleRate: 24_000, sampleWidthBytes: 2, channels: 1 };

export interface WavFormat {
  /** 1 = PCM, 3 = IEEE float, 0xFFFE = extensible. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

/** Declared sizes at or above this are streaming placeholders (0xFFFFFFFF, 0xFFFFFFFF − 36, espeak's 0x7FFFF000). */
const PLACEHOLDER_SIZE_FLOOR = 0x7fff_0000;
/** A header that has not reached `data` within this many bytes is not a WAV stream we can read. */
const MAX_WAV_HEADER_BYTES = 1 << 20;

export interface AudioSummary {
  /** Whole frames received (one sample per channel each). */
  frames: number;
  audioSeconds: number;
  /** Audio payload bytes (after any header). */
  audioBytes: number;
  /** Chunks that completed at least one frame. */
  audioChunks: number;
  /** Arrival of the first chunk that completed a frame (playback start). */
  firstAudioMs?: number;
  /** Chunks that arrived after playback would have run dry. */
  stalls: number;
  /** Total silence a listener would have heard waiting for them. */
  stallMs: number;
  sampleRate?: number;
  /** A WAV stream that could not be read; the request is a protocol error. */
  error?: string;
}

/** Follows one audio stream chunk by chunk. */
export class AudioAccounting {
  private header: Buffer | undefined;
  private fmt: WavFormat | undefined;
  /** Declared `data` size when it is a real size; undefined for placeholders. */
  private dataLimit: number | undefined;
  private bytes = 0;
  private frames = 0;
  private chunks = 0;
  private firstAudioMs: number | undefined;
  /** When the audio received so far would finish playing. */
  private playEndMs = 0;
  private stalls = 0;
  private stallMs = 0;
  private error: string | undefined;

  constructor(private readonly format: AudioFormat) {
    if (format.container === 'wav') this.header = Buffer.alloc(0);
  }

  /** Adds one received chunk; returns the whole frames it completed (0 for header bytes or a partial sample). */
  feed(data: Uint8Array, atMs: number): number {
    if (this.error) return 0;
    let payload: Uint8Array = data;
    if (this.header) {
      const rest = this.readHeader(data);
      if (rest === undefined) return 0;
      payload = rest;
    }
    let n = payload.byteLength;
    if (this.dataLimit !== undefined) n = Math.max(0, Math.min(n, this.dataLimit - this.bytes));
    this.bytes += n;
    const frameBytes = this.frameBytes();
    const total = Math.floor(this.bytes / frameBytes);
    const added = total - this.frames;
    this.frames = total;
    if (added > 0) this.notePlayback(added, atMs);
    return added;
  }

  summary(): AudioSummary {
    const rate = this.sampleRate();
    const s: AudioSummary = {
      frames: this.frames,
      audioSeconds: rate ? this.frames / rate : 0,
      audioBytes: this.bytes,
      audioChunks: this.chunks,
      stalls: this.stalls,
      stallMs: this.stallMs,
    };
    if (this.firstAudioMs !== undefined) s.firstAudioMs = this.firstAudioMs;
    if (rate) s.sampleRate = rate;
    if (this.error) s.error = this.error;
    else if (this.header) s.error = `WAV stream ended before its "data" chunk (${this.header.byteLength} header bytes received)`;
    return s;
  }

  /** The WAV format, once its `fmt ` chunk has been read. */
  get wavFormat(): WavFormat | undefined {
    return this.fmt;
  }

  private sampleRate(): number | undefined {
    return this.format.container === 'pcm' ? this.format.sampleRate : this.fmt?.sampleRate;
  }

  private frameBytes(): number {
    if (this.format.container === 'pcm') return this.format.sampleWidthBytes * this.format.channels;
    return this.fmt!.blockAlign;
  }

  private notePlayback(frames: number, atMs: number): void {
    const durationMs = (frames / this.sampleRate()!) * 1000;
    this.chunks++;
    if (this.firstAudioMs === undefined) {
      this.firstAudioMs = atMs;
      this.playEndMs = atMs + durationMs;
      return;
    }
    if (atMs > this.playEndMs) {
      this.stalls++;
      this.stallMs += atMs - this.playEndMs;
      this.playEndMs = atMs + durationMs;
    } else {
      this.playEndMs += durationMs;
    }
  }

  /**
   * Accumulates header bytes until the `data` chunk header has arrived; returns the audio
   * bytes that followed it in this chunk, or undefined while the header is incomplete.
   */
  private readHeader(data: Uint8Array): Uint8Array | undefined {
    const buf = Buffer.concat([this.header!, data]);
    if (buf.byteLength >= 4 && buf.toString('latin1', 0, 4) !== 'RIFF') {
      return this.fail(`not a WAV stream: it starts with ${JSON.stringify(buf.toString('latin1', 0, 4))}, not "RIFF" (set the audio format to pcm for headerless audio)`);
    }
    if (buf.byteLength >= 12 && buf.toString('latin1', 8, 12) !== 'WAVE') {
      return this.fail(`not a WAV stream: RIFF form type is ${JSON.stringify(buf.toString('latin1', 8, 12))}, not "WAVE"`);
    }
    let offset = 12;
    while (buf.byteLength >= offset + 8) {
      const id = buf.toString('latin1', offset, offset + 4);
      const size = buf.readUInt32LE(offset + 4);
      if (id === 'data') {
        if (!this.fmt) return this.fail('WAV "data" chunk came before its "fmt " chunk');
        this.header = undefined;
        this.dataLimit = size > 0 && size < PLACEHOLDER_SIZE_FLOOR ? size : undefined;
        return buf.subarray(offset + 8);
      }
      const padded = size + (size & 1);
      if (size >= PLACEHOLDER_SIZE_FLOOR) return this.fail(`WAV chunk "${id}" before "data" has a placeholder size (${size}); cannot find the audio`);
      if (buf.byteLength < offset + 8 + padded) break;
      if (id === 'fmt ') {
        const problem = this.readFmt(buf.subarray(offset + 8, offset + 8 + size));
        if (problem) return this.fail(problem);
      }
      offset += 8 + padded;
    }
    if (buf.byteLength > MAX_WAV_HEADER_BYTES) return this.fail(`no WAV "data" chunk within the first ${MAX_WAV_HEADER_BYTES} bytes`);
    this.header = buf;
    return undefined;
  }

  private readFmt(p: Buffer): string | undefined {
    if (p.byteLength < 16) return `WAV "fmt " chunk is ${p.byteLength} bytes; expected at least 16`;
    const fmt: WavFormat = {
      audioFormat: p.readUInt16LE(0),
      channels: p.readUInt16LE(2),
      sampleRate: p.readUInt32LE(4),
      byteRate: p.readUInt32LE(8),
      blockAlign: p.readUInt16LE(12),
      bitsPerSample: p.readUInt16LE(14),
    };
    if (fmt.channels < 1 || fmt.sampleRate < 1) return `WAV "fmt " chunk declares ${fmt.channels} channels at ${fmt.sampleRate} Hz`;
    // Some writers leave blockAlign 0; it follows from the other fields.
    if (fmt.blockAlign === 0) fmt.blockAlign = (fmt.channels * fmt.bitsPerSample) / 8;
    if (!Number.isInteger(fmt.blockAlign) || fmt.blockAlign < 1) return `WAV "fmt " chunk has no usable frame size (bitsPerSample ${fmt.bitsPerSample})`;
    this.fmt = fmt;
    return undefined;
  }

  private fail(message: string): undefined {
    this.error = message;
    this.header = undefined;
    return undefined;
  }
}

/**
 * The per-request audio metrics from a finished stream: `ttfc` is
 * the first chunk with a whole frame − start, `rtf` = latency / audio, `stream_rtf` =
 * (end − first audio) / audio, plus stalls. Names follow metricUnit's rules.
 */
export function audioMetrics(s: AudioSummary, startMs: number, endMs: number): Record<string, number> {
  const out: Record<string, number> = { audio_seconds: s.audioSeconds, audio_chunks_count: s.audioChunks, stall_count: s.stalls, stall_ms: s.stallMs };
  if (s.firstAudioMs !== undefined) out.ttfc = s.firstAudioMs - startMs;
  if (s.audioSeconds > 0) {
    out.rtf = (endMs - startMs) / (s.audioSeconds * 1000);
    if (s.firstAudioMs !== undefined) out.stream_rtf = (endMs - s.firstAudioMs) / (s.audioSeconds * 1000);
  }
  return out;
}

/** Writes a WAV header for streaming (sizes unknown): RIFF and data sizes set to `placeholder`, optional LIST chunk first. */
export function streamingWavHeader(opts: { sampleRate: number; channels: number; bitsPerSample: number; placeholder: number; listChunk?: boolean }): Buffer {
  const blockAlign = (opts.channels * opts.bitsPerSample) / 8;
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(opts.channels, 10);
  fmt.writeUInt32LE(opts.sampleRate, 12);
  fmt.writeUInt32LE(opts.sampleRate * blockAlign, 16);
  fmt.writeUInt16LE(blockAlign, 20);
  fmt.writeUInt16LE(opts.bitsPerSample, 22);
  const parts = [Buffer.from('RIFF'), u32(opts.placeholder), Buffer.from('WAVE')];
  if (opts.listChunk) {
    // LIST/INFO with an odd-length software name, so the pad byte is exercised too.
    const name = Buffer.from('inferbench\0', 'latin1');
    const isft = Buffer.concat([Buffer.from('ISFT'), u32(name.byteLength), name, Buffer.alloc(name.byteLength & 1)]);
    const list = Buffer.concat([Buffer.from('INFO'), isft]);
    parts.push(Buffer.from('LIST'), u32(list.byteLength), list);
  }
  parts.push(fmt, Buffer.from('data'), u32(opts.placeholder));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
