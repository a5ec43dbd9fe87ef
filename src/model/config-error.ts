/** One problem in a scenario: where it is and what to do about it. */
export interface ConfigProblem {
  /** Dotted path into the scenario ("load.concurrency", "target.url"), or the flag name. */
  path: string;
  message: string;
}

/** Problems shown in a message; the rest are counted, so 30,000 unknown keys print 21 lines, not 4.9 MB. */
export const SHOWN_PROBLEMS = 20;

/** Bad input a user can fix. Carries every problem found, not just the first; its message shows the first SHOWN_PROBLEMS. */
export class ConfigError extends Error {
  constructor(
    readonly problems: ConfigProblem[],
    readonly source?: string,
  ) {
    const head = source ? `Invalid scenario ${source}` : 'Invalid scenario';
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `  - ${p.path || '(top level)'}: ${p.message}`);
    if (problems.length > SHOWN_PROBLEMS) shown.push(`  ... and ${problems.length - SHOWN_PROBLEMS} more`);
    super(`${head} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
