import { sampleCount, sampleDurationMs } from './distributions.js';
import type { ServerSettings } from './options.js';
import { RandomPurpose, randomStream, type Random } from './seeded-random.js';
import { generateTokenTexts } from './text.js';

/** What goes wrong with a request, decided when it arrives. */
export type FaultKind = 'none' | 'error' | 'mid-stream-close' | 'mid-stream-error' | 'stall';

export interface Fault {
  kind: FaultKind;
  /** Mid-stream faults: tokens written before the fault strikes (a whole number of chunks). 0 otherwise. */
  afterTokens: number;
}

/** Why generation stopped: the model chose to (EOS) or hit `max_tokens`. Named as OpenAI names them. */
export type FinishReason = 'stop' | 'length';

/** Limits a client put on one generation (OpenAI `max_tokens` / `max_completion_tokens`, vLLM `ignore_eos`). */
export interface GenerationLimits {
  maxTokens?: number;
  /** With `maxTokens`, generate exactly that many tokens (vLLM's fixed-length benchmark mode). */
  ignoreEos?: boolean;
  /** vLLM's `min_tokens`: no EOS before this many tokens (capped by `maxTokens`). */
  minTokens?: number;
}

/** Everything about one generation, drawn before its first byte: the server then only plays it out. */
export interface StreamPlan {
  /** Position among planned requests since the server started; with the seed it fixes every draw. */
  requestIndex: number;
  /** From receiving the request to the first content token, including the in-flight penalty. */
  ttftMs: number;
  /** `itlMs[i]` is the gap between token i and token i+1, so its length is `outputTokens - 1`. */
  itlMs: number[];
  outputTokens: number;
  tokensPerChunk: number;
  finishReason: FinishReason;
  /** The text of each token (` word`). */
  tokenTexts: string[];
  fault: Fault;
}

/** A plain (non-generating) request such as /echo. */
export interface DelayPlan {
  requestIndex: number;
  delayMs: number;
  fault: Fault;
}

/**
 * Draws plans in arrival order. Each request's draws come from its own streams keyed
 * by (seed, request index), so faults, timings and text never shift each other:
 * changing `--itl` keeps the same requests failing with the same words.
 */
export class RequestPlanner {
  private nextRequestIndex = 0;

  constructor(private readonly settings: ServerSettings) {}

  drawStreamPlan(limits: GenerationLimits = {}, otherRequestsInFlight = 0): StreamPlan {
    const { settings } = this;
    const requestIndex = this.nextRequestIndex++;
    const timing = randomStream(settings.seed, requestIndex, RandomPurpose.timing);
    const ttftMs = sampleDurationMs(settings.ttftMs, timing) + settings.ttftPerInFlightMs * otherRequestsInFlight;
    const wantedTokens = sampleCount(settings.outputTokens, timing);
    const { maxTokens, ignoreEos = false, minTokens } = limits;
    let outputTokens = maxTokens === undefined ? wantedTokens : ignoreEos ? maxTokens : Math.min(wantedTokens, maxTokens);
    if (minTokens !== undefined) outputTokens = Math.max(outputTokens, maxTokens === undefined ? minTokens : Math.min(minTokens, maxTokens));
    const finishReason: FinishReason = maxTokens !== undefined && outputTokens >= maxTokens ? 'length' : 'stop';
    const itlMs = new Array<number>(Math.max(0, outputTokens - 1));
    for (let i = 0; i < itlMs.length; i++) itlMs[i] = sampleDurationMs(settings.itlMs, timing);
    const tokenTexts = generateTokenTexts(outputTokens, randomStream(settings.seed, requestIndex, RandomPurpose.text));
    const chunkCount = Math.ceil(outputTokens / settings.tokensPerChunk);
    const fault = this.drawFault(randomStream(settings.seed, requestIndex, RandomPurpose.fault), chunkCount);
    return { requestIndex, ttftMs, itlMs, outputTokens, tokensPerChunk: settings.tokensPerChunk, finishReason, tokenTexts, fault };
  }

  /** Plain requests only ever get the `error` fault: they have no stream to break. */
  drawDelayPlan(): DelayPlan {
    const requestIndex = this.nextRequestIndex++;
    const delayMs = sampleDurationMs(this.settings.echoDelayMs, randomStream(this.settings.seed, requestIndex, RandomPurpose.echo));
    const fault = this.drawFault(randomStream(this.settings.seed, requestIndex, RandomPurpose.fault), 0);
    return { requestIndex, delayMs, fault: fault.kind === 'error' ? fault : { kind: 'none', afterTokens: 0 } };
  }

  /** One roll picks at most one fault; a second picks after how many chunks a mid-stream fault strikes. */
  private drawFault(random: Random, chunkCount: number): Fault {
    const { errorRate, midStreamCloseRate, midStreamErrorRate, stallRate, tokensPerChunk } = this.settings;
    const roll = random();
    const afterChunks = Math.floor(random() * chunkCount);
    const afterTokens = afterChunks * tokensPerChunk;
    let threshold = errorRate;
    if (roll < threshold) return { kind: 'error', afterTokens: 0 };
    if (roll < (threshold += midStreamCloseRate)) return { kind: 'mid-stream-close', afterTokens };
    if (roll < (threshold += midStreamErrorRate)) return { kind: 'mid-stream-error', afterTokens };
    if (roll < (threshold += stallRate)) return { kind: 'stall', afterTokens };
    return { kind: 'none', afterTokens: 0 };
  }
}
