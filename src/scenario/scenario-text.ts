/**
 * A scenario file's text → a plain object, for YAML and JSON alike, in time linear in its size.
 * yaml's own duplicate-key check compares every key with every other (a 30,000-key map took
 * 17 s to parse, 0.8 s without it), so keys are checked here with a set per map instead.
 * Nesting too deep for the parser is a clear error, not "Maximum call stack size exceeded".
 */
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';

/** Duplicate keys reported at most; the rest are counted (ConfigError bounds its output too). */
const MAX_DUPLICATES = 100;

export function parseScenarioText(text: string, file: string): Record<string, unknown> {
  const json = extname(file).toLowerCase() === '.json';
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYaml(text, file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof RangeError || /call stack/i.test((err as Error).message) ? 'nested too deeply to read (a scenario needs a few levels)' : (err as Error).message;
    throw new ConfigError([{ path: '', message: `${file} is not valid ${json ? 'JSON' : 'YAML'}: ${message}` }], file);
  }
  const tooDeep = deeperThan(value, MAX_SCENARIO_DEPTH);
  if (tooDeep !== undefined) {
    throw new ConfigError([{ path: tooDeep, message: `nested deeper than ${MAX_SCENARIO_DEPTH} levels; a scenario needs a few (request bodies a dozen or so): is this the right file?` }], file);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ path: '', message: `${file} is not a valid scenario: expected a mapping (target:, load:, ...) at the top level` }], file);
  }
  return value as Record<string, unknown>;
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length) throw doc.errors[0];
  const problems = duplicateKeys(doc.contents as Node | null);
  if (problems.length) throw new ConfigError(problems, file);
  return doc.toJS({ maxAliasCount: 100 });
}

function duplicateKeys(root: Node | null): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stack: { node: unknown; path: string }[] = [{ node: root, path: '' }];
  while (stack.length && problems.length < MAX_DUPLICATES) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const at = path ? `${path}.${key}` : key;
        if (seen.has(key)) problems.push({ path: at, message: 'appears twice in the same mapping; keep one' });
        seen.add(key);
        stack.push({ node: pair.value, path: at });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: `${path}[${i}]` }));
    }
  }
  return problems;
}

/** Deeper than any scenario needs; walking deeper input recursively would exhaust the stack. */
export const MAX_SCENARIO_DEPTH = 64;

/** The path of the first value nested deeper than `limit` (found without recursion), else undefined. */
export function deeperThan(value: unknown, limit: number): string | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= limit) return path || '(top level)';
    for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k, depth: depth + 1 });
  }
  return undefined;
}

