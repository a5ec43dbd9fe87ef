/**
 * The syntax of conditions, the one language of thresholds, SLOs, targets, capacity SLOs,
 * compare targets and overhead thresholds:
 *
 *   conditions  = condition { joiner condition } ;
 *   joiner      = "and" | "," | "&&" ;
 *   condition   = subject comparator number [ unit ] ;
 *   subject     = name [ "(" name ")" ] ;        p95(ttft), mean(rtf), overhead(stream), error_rate
 *   comparator  = "<" | "<=" | ">" | ">=" ;
 *   number      = [ "-" ] ( digits [ "." digits ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
 *   unit        = "%" | "/s" | word [ "/s" ] ;    ms, s, min, GB, MiB, tokens/s, req/s, frames/s, fps
 *   name        = ( letter | "_" ) { letter | digit | "_" | "." } ;
 *   word        = ( letter | "µ" ) { letter } ;
 *
 * Spaces may separate any two symbols. `name(name)` is an aggregation of a metric (p50 … p999,
 * p99.9, median, mean, avg, min, max, std, count, rate) or, for `overhead`, the compared mode.
 * What the names and units mean is checked afterwards (check.ts), against the metric table.
 *
 * Hand-written (like k6's thresholds_parser.go) rather than generated: the grammar is eight rules,
 * and a parser generator would add a build step and a dependency to say "expected a number at
 * column 14" no better than this does.
 */
export type Comparator = '<' | '<=' | '>' | '>=';

/** One condition as written: names and the number are not interpreted yet. */
export interface ParsedCondition {
  /** The condition's own text (one part of a joined expression), trimmed. */
  text: string;
  /** `p95` in `p95(ttft)`, `overhead` in `overhead(stream)`; absent for a bare name. */
  outer?: Located;
  /** The metric (or the argument of `outer`). */
  inner: Located;
  op: Comparator;
  value: number;
  /** The unit as written ('' when none). */
  unit: Located;
  /** 1-based column of the condition in the whole expression. */
  column: number;
}

export interface Located {
  text: string;
  /** 1-based column in the whole expression. */
  column: number;
}

export class ConditionSyntaxError extends Error {
  override name = 'ConditionSyntaxError';
  constructor(
    message: string,
    /** 1-based column in the expression where reading stopped. */
    readonly column: number,
  ) {
    super(message);
  }
}

export const CONDITION_EXAMPLES = '"p95(ttft)<400ms", "error_rate<1%", "rtf<0.5", "fps>20", "vram<16GB"';

type Token =
  | { kind: 'name'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'unit'; text: string; at: number }
  | { kind: 'op'; text: Comparator; at: number }
  | { kind: 'open' | 'close' | 'joiner'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

/** Splits an expression into tokens; a character that starts none is a syntax error naming its column. */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // After a number, letters are its unit (`500ms`, `16 GB`), not a name.
  const afterNumber = () => tokens.at(-1)?.kind === 'number';
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^(<=|>=|<|>)/.exec(rest))) tokens.push({ kind: 'op', text: m[1] as Comparator, at: i });
    else if ((m = /^(&&|,)/.exec(rest))) tokens.push({ kind: 'joiner', text: m[1]!, at: i });
    else if (ch === '(') tokens.push({ kind: 'open', text: ch, at: i });
    else if (ch === ')') tokens.push({ kind: 'close', text: ch, at: i });
    else if ((m = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest)) && !afterNumber()) tokens.push({ kind: 'number', text: m[0], at: i });
    else if (afterNumber() && (m = /^(%|\/s\b|[A-Za-zµ]+(?:\/s\b)?)/.exec(rest)) && m[1]!.toLowerCase() !== 'and') tokens.push({ kind: 'unit', text: m[1]!, at: i });
    else if ((m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest))) tokens.push(m[0].toLowerCase() === 'and' ? { kind: 'joiner', text: m[0], at: i } : { kind: 'name', text: m[0], at: i });
    else throw new ConditionSyntaxError(`unexpected "${ch}" at column ${i + 1}`, i + 1);
    i += m ? m[0].length : 1;
  }
  tokens.push({ kind: 'end', text: '', at: src.length });
  return tokens;
}

/**
 * Reads one or more conditions joined by "and", "," or "&&". Throws a {@link ConditionSyntaxError}
 * naming the column and what was expected there.
 */
export function parseConditionText(src: string): ParsedCondition[] {
  const tokens = tokenize(src);
  let k = 0;
  const peek = () => tokens[k]!;
  const describe = (t: Token) => (t.kind === 'end' ? 'the end' : `"${t.text}"`);
  const fail = (expected: string): never => {
    const t = peek();
    throw new ConditionSyntaxError(`expected ${expected} at column ${t.at + 1}, found ${describe(t)}`, t.at + 1);
  };
  const take = <K extends Token['kind']>(kind: K, expected: string): Extract<Token, { kind: K }> => {
    const t = peek();
    if (t.kind !== kind) fail(expected);
    k++;
    return t as Extract<Token, { kind: K }>;
  };

  const out: ParsedCondition[] = [];
  for (;;) {
    const first = take('name', 'a metric such as ttft, latency or error_rate (or an aggregation such as p95(…))');
    let outer: Located | undefined;
    let inner: Located = { text: first.text, column: first.at + 1 };
    if (peek().kind === 'open') {
      k++;
      const arg = take('name', `a metric inside ${first.text}(…)`);
      take('close', `")" after ${first.text}(${arg.text}`);
      outer = { text: first.text, column: first.at + 1 };
      inner = { text: arg.text, column: arg.at + 1 };
    }
    const op = take('op', 'a comparison (<, <=, > or >=)');
    const num = take('number', `a number after "${op.text}"`);
    let unit: Located = { text: '', column: num.at + num.text.length + 1 };
    if (peek().kind === 'unit') {
      const u = take('unit', 'a unit');
      unit = { text: u.text, column: u.at + 1 };
    }
    const end = peek().at;
    out.push({ text: src.slice(first.at, end).trim(), outer, inner, op: op.text, value: Number(num.text), unit, column: first.at + 1 });
    if (peek().kind === 'end') return out;
    if (peek().kind !== 'joiner') fail('"and" or "," between conditions, or the end');
    k++;
  }
}
