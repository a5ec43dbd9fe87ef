/**
 * Gradio's streaming diff (`gradio/utils.py` `diff`): the edits that turn
 * the previous yield into the new one. `[]` when equal, `append` when a string extends the
 * previous one, per-index/per-key recursion for lists and dicts with `delete`/`add` for the
 * tails, `replace` otherwise.
 */
export type GradioEdit = ['replace' | 'append' | 'add' | 'delete', (string | number)[], unknown];

export function gradioDiff(previous: unknown, next: unknown, path: (string | number)[] = []): GradioEdit[] {
  if (deepEqual(previous, next)) return [];
  if (typeOf(previous) !== typeOf(next)) return [['replace', path, next]];
  if (typeof previous === 'string' && typeof next === 'string' && next.startsWith(previous)) return [['append', path, next.slice(previous.length)]];
  if (Array.isArray(previous) && Array.isArray(next)) {
    const edits: GradioEdit[] = [];
    const common = Math.min(previous.length, next.length);
    for (let i = 0; i < common; i++) edits.push(...gradioDiff(previous[i], next[i], [...path, i]));
    // Gradio deletes from the end backwards so each index is still valid when applied.
    for (let i = previous.length - 1; i >= next.length; i--) edits.push(['delete', [...path, i], null]);
    for (let i = previous.length; i < next.length; i++) edits.push(['add', [...path, i], next[i]]);
    return edits;
  }
  if (isRecord(previous) && isRecord(next)) {
    const edits: GradioEdit[] = [];
    for (const key of Object.keys(previous)) {
      if (key in next) edits.push(...gradioDiff(previous[key], next[key], [...path, key]));
      else edits.push(['delete', [...path, key], null]);
    }
    for (const key of Object.keys(next)) if (!(key in previous)) edits.push(['add', [...path, key], next[key]]);
    return edits;
  }
  return [['replace', path, next]];
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function deepEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
