import { compilePath, getPath } from '../wire/extraction.js';

/**
 * The output list of a Gradio payload, in the three shapes the HF Space benchmark seed
 * handles: `{"output":{"data":[…]}}` (session messages), `{"data":[…]}`, or a bare list
 * (`/call` frames).
 */
export function gradioOutputs(payload: unknown): unknown[] | undefined {
  if (Array.isArray(payload)) return payload;
  if (payload && typeof payload === 'object') {
    const p = payload as { output?: { data?: unknown }; data?: unknown };
    if (Array.isArray(p.output?.data)) return p.output.data;
    if (Array.isArray(p.data)) return p.data;
  }
  return undefined;
}

/**
 * The generated text in an output list: the value at `textPath` (a path into the list, e.g.
 * `0`, `1[0].content`, or `0[-1].content` for the last message), else the first output. A
 * chatbot value (messages or [user, bot] pairs) gives its last bot message. Undefined when it
 * holds no text. Paths are checked when the scenario is read (gradio/schema.ts).
 */
export function gradioText(outputs: unknown[] | undefined, textPath?: string): string | undefined {
  if (!outputs) return undefined;
  const value = textPath !== undefined ? getPath(outputs, compiledPath(textPath)) : outputs[0];
  return textOf(value);
}

const compiled = new Map<string, (string | number)[]>();
function compiledPath(path: string): (string | number)[] {
  let keys = compiled.get(path);
  if (!keys) compiled.set(path, (keys = compilePath(path)));
  return keys;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) {
    const last = value[value.length - 1];
    if (last && typeof last === 'object' && !Array.isArray(last) && typeof (last as { content?: unknown }).content === 'string') {
      return (last as { content: string }).content;
    }
    if (Array.isArray(last) && typeof last[1] === 'string') return last[1];
  }
  return undefined;
}

type Edit = [string, (string | number)[], unknown];

/**
 * Applies one output's Gradio diff (`client/js/src/utils/stream.ts` `apply_diff`): a list
 * of `[op, path, value]` edits with ops replace/append/add/delete.
 * Returns the new value; the previous one is not modified.
 */
export function applyGradioDiff(previous: unknown, edits: unknown): unknown {
  if (!Array.isArray(edits)) return previous;
  let value = structuredClone(previous);
  for (const edit of edits as Edit[]) {
    const [op, path, v] = edit;
    if (!Array.isArray(path) || path.length === 0) {
      if (op === 'replace') value = v;
      else if (op === 'append') value = String(value ?? '') + String(v);
      continue;
    }
    let parent = value as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent?.[key] as Record<string | number, unknown>;
    if (parent === null || typeof parent !== 'object') continue;
    const key = path[path.length - 1]!;
    if (op === 'replace') parent[key] = v;
    else if (op === 'append') parent[key] = String(parent[key] ?? '') + String(v);
    else if (op === 'add') {
      if (Array.isArray(parent)) parent.splice(Number(key), 0, v);
      else parent[key] = v;
    } else if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    }
  }
  return value;
}

/** Applies a `process_generating` diff message's data (one edit list per output) to the output list. */
export function applyGradioOutputDiffs(previous: unknown[], diffs: unknown[]): unknown[] {
  return previous.map((value, index) => applyGradioDiff(value, diffs[index]));
}
