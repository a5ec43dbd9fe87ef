import type { DerivedMetrics } from './metrics.js';
import type { GoodputResult } from '../model/results.js';
import type { Condition } from '../conditions/condition.js';
import { meetsPerRequest } from '../conditions/evaluate.js';

/**
 * Goodput: each completed request is checked against every SLO (`ttft<=400ms`,
 * `rtf<=0.5`); a failed request meets none. Plain counts, so phases merge by adding.
 */
export class GoodputCounter {
  private requests = 0;
  private metAll = 0;
  private readonly met: number[];

  constructor(private readonly slos: readonly Condition[]) {
    this.met = slos.map(() => 0);
  }

  /** A counter shaped like an existing result (for merging). */
  static fromResult(g: GoodputResult): GoodputCounter {
    const c = new GoodputCounter(g.slos.map((s) => ({ text: s.slo, subject: '', metric: '', op: '<', bound: 0, unit: 'count', writtenUnit: '' })));
    c.merge(g);
    return c;
  }

  record(d: DerivedMetrics): void {
    this.requests++;
    if (!d.ok) return;
    let all = true;
    this.slos.forEach((slo, i) => {
      const value = (d.values as Record<string, number | undefined>)[slo.metric] ?? d.extra[slo.metric];
      if (meetsPerRequest(slo, value)) this.met[i]!++;
      else all = false;
    });
    if (all) this.metAll++;
  }

  merge(g: GoodputResult): void {
    this.requests += g.requests;
    this.metAll += g.metAll;
    g.slos.forEach((s, i) => {
      if (i < this.met.length) this.met[i]! += s.met;
    });
  }

  toResult(durationMs: number): GoodputResult {
    const share = (n: number) => (this.requests > 0 ? n / this.requests : 0);
    return {
      requests: this.requests,
      metAll: this.metAll,
      share: share(this.metAll),
      requestsPerSecond: durationMs > 0 ? (this.metAll * 1000) / durationMs : 0,
      slos: this.slos.map((s, i) => ({ slo: s.text, met: this.met[i]!, share: share(this.met[i]!) })),
    };
  }
}
