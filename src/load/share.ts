/**
 * A share of one phase's load: the part one worker thread, one machine (`--segment i/n`), or
 * one worker of one segment runs. Every share computes the same seeded schedule from the same
 * origin and keeps its own slice of it, so the union of all shares is exactly what one thread
 * would have run (k6's execution segments, with a stride instead of ranges so that every share
 * sees the whole time span at a proportional rate).
 *
 * Open loop: share k of n owns arrival i when i mod n = k.
 * Closed loop: the C virtual users are numbered 0..C-1 and share k owns user u when u mod n = k;
 * request i belongs to user i mod C, so a count bound splits with the users.
 */
export interface LoadShare {
  /** 0-based. */
  index: number;
  count: number;
}

export const WHOLE_LOAD: LoadShare = { index: 0, count: 1 };

/** Segment i/n split further across `workers` threads: worker k of segment i is share i + n·k of n·workers. */
export function workerShare(segment: LoadShare, worker: number, workers: number): LoadShare {
  return { index: segment.index + segment.count * worker, count: segment.count * workers };
}

export function ownsArrival(share: LoadShare, arrivalIndex: number): boolean {
  return arrivalIndex % share.count === share.index;
}

/** Closed-loop users (of `concurrency` in all) that this share runs. */
export function usersOf(share: LoadShare, concurrency: number): number {
  return share.index < concurrency ? Math.floor((concurrency - 1 - share.index) / share.count) + 1 : 0;
}

/**
 * The request indices this share sends in a closed loop, in order, as a generator: indices i
 * (below `requests`, when bounded) whose user i mod concurrency belongs to the share.
 */
export function* closedLoopIndices(share: LoadShare, concurrency: number, requests?: number): Generator<number> {
  if (share.count === 1) {
    for (let i = 0; requests === undefined || i < requests; i++) yield i;
    return;
  }
  if (usersOf(share, concurrency) === 0) return;
  for (let round = 0; ; round++) {
    for (let user = share.index; user < concurrency; user += share.count) {
      const i = round * concurrency + user;
      if (requests !== undefined && i >= requests) return;
      yield i;
    }
  }
}

/** "2/4" → {index: 2, count: 4}; errors name the flag and the accepted form. */
export function parseSegment(text: string, flag = '--segment'): LoadShare {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`${flag}: "${text}" is not a segment; write INDEX/COUNT with INDEX from 0 to COUNT-1, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`${flag}: COUNT must be at least 1, got ${count}`);
  if (index >= count) throw new Error(`${flag}: INDEX must be below COUNT (0-based, as Kubernetes' JOB_COMPLETION_INDEX), got ${index}/${count}`);
  return { index, count };
}

export function formatSegment(s: LoadShare): string {
  return `${s.index}/${s.count}`;
}
