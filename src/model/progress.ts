/** The phases of a load point whose requests are counted (cooldown sends none). */
export type PhaseName = 'warmup' | 'measure';

/** A snapshot for progress displays, emitted a few times a second and at phase changes. */
export interface Progress {
  phase: PhaseName | 'cooldown';
  pointLabel: string;
  sent: number;
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
  /** Planned requests in this phase, when bounded by count. */
  total?: number;
  /** Planned duration of this phase, when bounded by time. */
  durationMs?: number;
  elapsedMs: number;
}

