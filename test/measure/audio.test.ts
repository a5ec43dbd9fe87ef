import { describe, expect, it } from 'vitest';
import { AudioAccounting, audioMetrics, OPENAI_PCM, streamingWavHeader } from '../../src/measure/audio.js';

const pcm = (samples: number) => Buffer.alloc(samples * 2, 1);

describe('WAV', () => {
  it('walks the chunk list (LIST before fmt and data, placeholder sizes) and counts only bytes received after data', () => {
    for (const placeholder of [0, 0xffff_ffff, 0xffff_ffff - 36]) {
      const a = new AudioAccounting({ container: 'wav' });
      const header = streamingWavHeader({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, placeholder, listChunk: true });
      expect(header.byteLength).toBeGreaterThan(44);
      // The header arrives in three pieces, split inside chunk headers; no audio yet.
      expect(a.feed(header.subarray(0, 10), 1)).toBe(0);
      expect(a.feed(header.subarray(10, 30), 2)).toBe(0);
      expect(a.feed(Buffer.concat([header.subarray(30), pcm(100)]), 3)).toBe(100);
      expect(a.feed(pcm(60), 4)).toBe(60);
      const s = a.summary();
      expect(s.error).toBeUndefined();
      expect(s.frames).toBe(160);
      expect(s.audioSeconds).toBe(160 / 16_000);
      expect(s.firstAudioMs).toBe(3);
      expect(a.wavFormat).toMatchObject({ sampleRate: 16_000, channels: 1, blockAlign: 2 });
    }
  });

  it('honours a real data size (trailing chunks after the audio are not audio)', () => {
    const a = new AudioAccounting({ container: 'wav' });
    const header = streamingWavHeader({ sampleRate: 8000, channels: 2, bitsPerSample: 16, placeholder: 0 });
    header.writeUInt32LE(400, header.byteLength - 4);
    a.feed(Buffer.concat([header, Buffer.alloc(400), Buffer.from('LIST\x04\x00\x00\x00INFO')]), 0);
    expect(a.summary().frames).toBe(100);
  });

  it('reports a stream that is not WAV, or ends inside its header', () => {
    const notWav = new AudioAccounting({ container: 'wav' });
    notWav.feed(Buffer.from('ID3\x04 mp3 bytes'), 0);
    expect(notWav.summary().error).toMatch(/not a WAV stream.*set the audio format to pcm/);
    const cut = new AudioAccounting({ container: 'wav' });
    cut.feed(streamingWavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 16, placeholder: 0 }).subarray(0, 20), 0);
    expect(cut.summary().error).toMatch(/ended before its "data" chunk/);
  });
});

describe('PCM', () => {
  it('keeps a running byte count, so chunks split mid-sample lose nothing', () => {
    const a = new AudioAccounting(OPENAI_PCM);
    expect(a.feed(Buffer.alloc(1), 0)).toBe(0); // half a sample: no audio yet, so no ttfc
    expect(a.feed(Buffer.alloc(4), 5)).toBe(2);
    expect(a.feed(Buffer.alloc(3), 6)).toBe(2);
    const s = a.summary();
    expect(s.frames).toBe(4);
    expect(s.audioBytes).toBe(8);
    expect(s.firstAudioMs).toBe(5);
    expect(s.audioSeconds).toBe(4 / 24_000);
  });
});

describe('stalls', () => {
  // 24 kHz mono 16-bit: 960 samples = 40 ms of audio per chunk.
  const chunk = pcm(960);
  it('none when each chunk arrives before the audio before it has finished playing', () => {
    const a = new AudioAccounting(OPENAI_PCM);
    for (let i = 0; i < 10; i++) a.feed(chunk, 100 + i * 39);
    expect(a.summary()).toMatchObject({ stalls: 0, stallMs: 0, audioChunks: 10 });
  });
  it('one per late chunk, with the silence a listener would hear', () => {
    const a = new AudioAccounting(OPENAI_PCM);
    a.feed(chunk, 100); // plays until 140
    a.feed(chunk, 130); // in time: plays until 180
    a.feed(chunk, 200); // 20 ms late: plays until 240
    a.feed(chunk, 240); // exactly in time
    expect(a.summary()).toMatchObject({ stalls: 1, stallMs: 20 });
  });
  it('derives ttfc, rtf and stream_rtf from the marks', () => {
    const a = new AudioAccounting(OPENAI_PCM);
    a.feed(Buffer.alloc(48_000), 250); // 1 s of audio
    const m = audioMetrics(a.summary(), 50, 550);
    expect(m).toMatchObject({ ttfc: 200, audio_seconds: 1, rtf: 0.5, stream_rtf: 0.3, stall_count: 0 });
  });
});
