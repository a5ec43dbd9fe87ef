import * as grpc from '@grpc/grpc-js';
import { nowMs } from '../../model/clock.js';
import { sampleDurationMs } from '../distributions.js';
import type { GroundTruthRecorder, GroundTruthStore } from '../ground-truth.js';
import { mulberry32, type Random } from '../seeded-random.js';
import type { GrpcServerSettings } from './grpc-options.js';
import type { WireStamps } from './wire-stamps.js';

interface Frame {
  id?: string;
  image?: Buffer;
}
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
  label: string;
}
interface FrameResult {
  id: string;
  boxes: Box[];
  batch_size: number;
  first_frame_wait_ms: number;
}

const LABELS = ['person', 'car', 'bicycle', 'dog', 'traffic light'];

/** Shared by the detector's handlers: timing, ground truth, request ids. */
export interface DetectorContext {
  settings: GrpcServerSettings;
  groundTruth: GroundTruthStore;
  nextId(): string;
  wire: WireStamps;
}

/**
 * The "detector" service (proto/detector.proto): boxes for each frame after
 * detectMs + perFrameMs × batch. Every frame is a ground-truth record: received when its
 * message arrived, one content event stamped right before its answer is written.
 */
export function detectorHandlers(ctx: DetectorContext): grpc.UntypedServiceImplementation {
  const { settings } = ctx;
  const random: Random = mulberry32(settings.seed);
  const processMs = (frames: number) => sampleDurationMs(settings.detectMs, random) + settings.perFrameMs * frames;
  const boxesFor = (id: string, batch: number, waitMs: number): FrameResult => ({
    id,
    batch_size: batch,
    first_frame_wait_ms: waitMs,
    boxes: Array.from({ length: settings.boxesPerFrame }, () => ({
      x: random() * 600,
      y: random() * 600,
      w: 10 + random() * 200,
      h: 10 + random() * 200,
      score: 0.5 + random() / 2,
      label: LABELS[Math.floor(random() * LABELS.length)]!,
    })),
  });
  const sendId = (call: { sendMetadata(md: grpc.Metadata): void }, id: string) => {
    const md = new grpc.Metadata();
    md.set('x-inferbench-request-id', id);
    call.sendMetadata(md);
  };

  return {
    Detect(call: grpc.ServerUnaryCall<{ frames?: Frame[] }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const receivedMs = ctx.wire.receivedMs(call.metadata);
      const id = ctx.nextId();
      const truth = ctx.groundTruth.start(id, 'grpc /inferbench.detector.Detector/Detect', '/inferbench.detector.Detector/Detect', receivedMs);
      sendId(call, id);
      const frames = call.request.frames ?? [];
      if (frames.length === 0) {
        truth.end('completed');
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'DetectRequest.frames is empty; send at least one frame' });
      }
      const timer = setTimeout(() => {
        const results = frames.map((f, i) => boxesFor(f.id ?? String(i), frames.length, 0));
        ctx.wire.beforeSend(call.metadata, () => truth.mark('content', { tokens: frames.length }));
        callback(null, { results });
        truth.end('completed');
      }, processMs(frames.length));
      call.on('cancelled', () => {
        clearTimeout(timer);
        truth.end('client-disconnected');
      });
    },

    DetectBoxes(call: grpc.ServerWritableStream<{ frames?: Frame[] }, unknown>) {
      const receivedMs = nowMs();
      const id = ctx.nextId();
      const truth = ctx.groundTruth.start(id, 'grpc /inferbench.detector.Detector/DetectBoxes', '/inferbench.detector.Detector/DetectBoxes', receivedMs);
      sendId(call, id);
      const frames = Math.max(1, call.request.frames?.length ?? 1);
      const boxes = boxesFor('0', frames, 0).boxes;
      let timer: NodeJS.Timeout;
      let i = 0;
      const next = () => {
        truth.mark('content', { tokens: 1, text: boxes[i]!.label });
        call.write(boxes[i]);
        if (++i < boxes.length) timer = setTimeout(next, settings.boxIntervalMs);
        else {
          call.end();
          truth.end('completed');
        }
      };
      timer = setTimeout(next, processMs(frames));
      call.on('cancelled', () => {
        clearTimeout(timer);
        truth.end('client-disconnected');
      });
    },

    Upload(call: grpc.ServerReadableStream<Frame, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const id = ctx.nextId();
      const truth = ctx.groundTruth.start(id, 'grpc /inferbench.detector.Detector/Upload', '/inferbench.detector.Detector/Upload', nowMs());
      sendId(call, id);
      let frames = 0;
      let bytes = 0;
      call.on('data', (f: Frame) => {
        frames++;
        bytes += f.image?.length ?? 0;
      });
      call.on('end', () => {
        setTimeout(() => {
          truth.mark('content', { tokens: frames });
          callback(null, { frames, bytes });
          truth.end('completed');
        }, processMs(frames));
      });
    },

    /**
     * Frames in, one result per frame out, in order. With batchSize > 1 the server gathers
     * frames into batches (the first frame of a batch waits for it to fill, up to
     * batchTimeoutMs) and processes one batch at a time, as a GPU would.
     */
    DetectStream(call: grpc.ServerDuplexStream<Frame, unknown>) {
      const streamId = ctx.nextId();
      sendId(call, streamId);
      let frameNo = 0;
      let gathering: { frame: Frame; truth: GroundTruthRecorder }[] = [];
      let firstAtMs = 0;
      let fillTimer: NodeJS.Timeout | undefined;
      const queue: { frame: Frame; truth: GroundTruthRecorder }[][] = [];
      let busy = false;
      let ending = false;
      let cancelled = false;
      const waits = new Map<object, number>();

      const runNext = () => {
        if (busy || cancelled) return;
        const batch = queue.shift();
        if (!batch) {
          if (ending && gathering.length === 0) call.end();
          return;
        }
        busy = true;
        const waitMs = waits.get(batch) ?? 0;
        setTimeout(() => {
          busy = false;
          if (cancelled) return;
          for (const { frame, truth } of batch) {
            const result = boxesFor(frame.id ?? '', batch.length, waitMs);
            truth.mark('content', { tokens: 1 });
            call.write(result);
            truth.end('completed');
          }
          runNext();
        }, processMs(batch.length));
      };
      const seal = () => {
        if (fillTimer) clearTimeout(fillTimer);
        fillTimer = undefined;
        if (gathering.length === 0) return;
        const batch = gathering;
        gathering = [];
        waits.set(batch, nowMs() - firstAtMs);
        queue.push(batch);
        runNext();
      };
      call.on('data', (frame: Frame) => {
        const at = nowMs();
        const n = frameNo++;
        const truth = ctx.groundTruth.start(`${streamId}.${n}`, 'grpc /inferbench.detector.Detector/DetectStream', '/inferbench.detector.Detector/DetectStream', at);
        if (gathering.length === 0) {
          firstAtMs = at;
          if (settings.batchSize > 1) fillTimer = setTimeout(seal, settings.batchTimeoutMs);
        }
        gathering.push({ frame, truth });
        if (gathering.length >= settings.batchSize) seal();
      });
      call.on('end', () => {
        ending = true;
        seal();
        runNext();
      });
      call.on('cancelled', () => {
        cancelled = true;
        if (fillTimer) clearTimeout(fillTimer);
        for (const b of [gathering, ...queue]) for (const { truth } of b) truth.end('client-disconnected');
      });
    },
  };
}
