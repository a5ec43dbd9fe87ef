/**
 * Secrets never reach a file, a report or a log. A Redactor hides two kinds of text:
 * - known values: every `${ENV}` substitution, every credential the scenario sends (auth
 *   headers, tokens, URL userinfo, credential query parameters), in the forms a server or a
 *   serializer may echo them (URL-encoded, JSON-escaped), including a piece of one that a
 *   preview cut short;
 * - credential-shaped text whatever its value: `Bearer …`, `Authorization: …`,
 *   `"api_key": "…"`, `?key=…`, `user:pass@` in URLs.
 * It is pure string work with no I/O: the sinks (results/redacting-sinks.ts) apply it to every
 * byte that leaves the process.
 */
export const REDACTED = '[redacted]';

/** Field and header names whose values are credentials (scenario fields, headers, JSON keys). */
export const CREDENTIAL_NAME = /^(?:(?:proxy-)?authorization|cookie|set-cookie|.*api[-_]?key.*|.*-key|key|.*token|.*secret.*|.*password.*|passwd)$/i;

/** Shortest value registered: shorter ones would redact ordinary words (env values that short are not credentials). */
const MIN_SECRET_CHARS = 4;
/**
 * A cut-short piece of a known secret at least this long is hidden too ("sk-SECRETenv-4f9c…").
 * Shorter pieces carry too little of a credential to matter and would match ordinary text.
 */
const MIN_PIECE_CHARS = 8;
/** Characters a token continues with: a piece followed by one of these is a different value, not a cut one. */
const TOKEN_CHAR = /[A-Za-z0-9_\-+/=.~%]/;

/** Names that mark a credential in echoed text (JSON keys, header lines); unambiguous ones only, so `"token": "Hello"` stream events survive. */
const ECHO_NAMES = String.raw`(?:proxy-)?authorization|cookie|set-cookie|x-[\w-]*api[-_]?key|api[-_]?key|apikey|x-api-token|x-auth-token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|hf[-_]?token|bearer[-_]?token|client[-_]?secret|secret[-_]?key|private[-_]?key|password|passwd`;
/** A header value that only names an environment variable: `${API_KEY}`, `Bearer ${API_KEY}` (with no default, which could be a literal). */
const ENV_REFERENCE = String.raw`(?:(?:Bearer|Basic)\s+)?\$\{[A-Za-z_][A-Za-z0-9_]*\}`;
/** Query and form parameters that carry credentials. */
const QUERY_NAMES = String.raw`key|api[-_]?key|apikey|token|access[-_]?token|auth|auth[-_]?token|password|passwd|secret|client[-_]?secret|sig|signature|hf[-_]?token`;

/**
 * Credential-shaped text. Each replacement keeps the text's structure: a match never crosses a
 * quote, a backslash (JSON escapes), a comma or a line end, so redacted JSON, CSV and HTML stay valid.
 */
const PATTERNS: [RegExp, string][] = [
  // "authorization": "Bearer …", 'x-api-key': '…' (JSON, Python reprs of header dicts)
  [new RegExp(String.raw`(["'])(${ECHO_NAMES})\1(\s*:\s*)(["'])(?:(?!\4)[^\\\r\n]|\\.)*\4`, 'gi'), `$1$2$1$3$4${REDACTED}$4`],
  // the same inside a JSON string (a server's echo of a JSON body): \"api_key\": \"…\"
  [new RegExp(String.raw`(\\")(${ECHO_NAMES})\\"(\s*:\s*)\\"(?:(?!\\")[^\r\n])*\\"`, 'gi'), `$1$2\\"$3\\"${REDACTED}\\"`],
  // Authorization: Bearer … / x-api-key: … as header lines
  // (not a `${ENV}` reference left as written, as in a scenario file or a manifest: it holds no value)
  [new RegExp(String.raw`(^|[\s{,;(\[])(${ECHO_NAMES})(\s*[:=]\s*)(?!["'\s])(?!\[redacted\])(?!${ENV_REFERENCE}\s*$)[^\r\n"'\\,;]+`, 'gim'), `$1$2$3${REDACTED}`],
  // Bearer / Basic credentials wherever they stand
  [/\b(Bearer|Basic)(\s+)(?!\[redacted\])[A-Za-z0-9._~+/=-]{6,}/g, `$1$2${REDACTED}`],
  // ?key=… &access_token=… in URLs and form bodies
  [new RegExp(String.raw`([?&])(${QUERY_NAMES})=(?!\[redacted\])[^&#\s"'<>\\,;]+`, 'gi'), `$1$2=${REDACTED}`],
  // https://user:pass@host → https://[redacted]@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)(?!\[redacted\])[^/\s:@"'\\,;<>]+(?::[^/\s@"'\\,;<>]*)?@/gi, `$1${REDACTED}@`],
];

/** Bumped whenever any redactor learns a value or a link: a cached redaction made before it is stale. */
let knownVersion = 0;
/** Longest text whose redaction is kept for reuse. */
const REUSE_MAX_CHARS = 4096;

export class Redactor {
  private readonly known = new Set<string>();
  /**
   * The last text redacted and its result, while no redactor has learned anything since.
   * Measured reason (bench:capacity's client under --cpu-prof, c=50 against nginx): every
   * request's body preview went through the patterns, 6.5% of the client's CPU, and a
   * benchmark's answers are mostly the same text.
   */
  private lastText: string | undefined;
  private lastRedacted = '';
  private lastVersion = -1;
  /** Other redactors whose values are hidden here too, as they are now and as they grow. */
  private readonly linked = new Set<Redactor>();

  /** Registered values (the originals, not their derived forms), e.g. to hand to a worker thread. */
  values(): string[] {
    return [...this.known].filter((v) => !this.derived.has(v));
  }

  private readonly derived = new Set<string>();

  get size(): number {
    return this.known.size - this.derived.size;
  }

  /** Registers a secret value, with the forms a server or serializer may echo it in. */
  add(value: string): void {
    if (value.length < MIN_SECRET_CHARS || this.known.has(value)) return;
    knownVersion++;
    this.known.add(value);
    for (const form of echoForms(value)) {
      if (form.length >= MIN_SECRET_CHARS && !this.known.has(form)) {
        this.known.add(form);
        this.derived.add(form);
      }
    }
  }

  /** Registers a credential the benchmark sends: the whole value and, for `Bearer x` / `Basic x`, `x` alone. */
  addCredential(value: string): void {
    this.add(value);
    const scheme = /^\s*(?:Bearer|Basic|Token)\s+(\S+)\s*$/i.exec(value);
    if (scheme) this.add(scheme[1]!);
  }

  /** Registers what a URL carries: userinfo (and its Basic form) and credential query parameters. */
  addUrlCredentials(url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return;
    }
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    if (pass) this.add(pass);
    if (user && pass) this.add(Buffer.from(`${user}:${pass}`).toString('base64'));
    else if (user) this.add(user);
    for (const [name, value] of u.searchParams) if (new RegExp(`^(?:${QUERY_NAMES})$`, 'i').test(name) || CREDENTIAL_NAME.test(name)) this.add(value);
  }

  /** Every value of `other` is hidden here too (copied now). */
  addAll(other: Redactor): void {
    for (const v of other.values()) this.add(v);
  }

  /** Every value `other` holds, now or later, is hidden here too (a process's output and each run's secrets). */
  link(other: Redactor): void {
    if (other !== this) this.linked.add(other);
    knownVersion++;
  }

  private *allKnown(seen = new Set<Redactor>()): Generator<string> {
    if (seen.has(this)) return;
    seen.add(this);
    yield* this.known;
    for (const r of this.linked) yield* r.allKnown(seen);
  }

  /** Hides known secrets (whole, or a piece a preview cut short), then credential-shaped text. */
  redactText(text: string): string {
    if (text === this.lastText && this.lastVersion === knownVersion) return this.lastRedacted;
    let out = text;
    const known = [...this.allKnown()];
    for (const v of known) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const v of known) if (v.length > MIN_PIECE_CHARS) out = redactCutPieces(out, v);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    // Short texts only (previews, messages): a whole results file is redacted once and not kept.
    if (text.length <= REUSE_MAX_CHARS) {
      this.lastText = text;
      this.lastRedacted = out;
      this.lastVersion = knownVersion;
    }
    return out;
  }

  /** A deep copy with every string redacted and credential-named fields replaced. */
  redact<T>(value: T): T {
    return this.walk(value, undefined, 0) as T;
  }

  private walk(value: unknown, key: string | undefined, depth: number): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && CREDENTIAL_NAME.test(key) && value.length > 0) return REDACTED;
      return this.redactText(value);
    }
    // Results and scenarios are shallow; the bound only keeps hostile input from exhausting the stack.
    if (depth > 200) return REDACTED;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, k, depth + 1);
      return out;
    }
    return value;
  }
}

/** The forms a value takes when a server or serializer echoes it. */
function echoForms(value: string): string[] {
  const forms = [encodeURIComponent(value), JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')];
  try {
    forms.push(decodeURIComponent(value));
  } catch {
    // not URL-encoded
  }
  return forms.filter((f) => f !== value);
}

/**
 * A preview or message cut short ends with a piece of a secret ("…Bearer sk-SECRETenv-4f9c2a77e1…"
 * kept 23 of 25 characters). A piece counts when it is at least MIN_PIECE_CHARS long and stops where a
 * cut would: at the end of the text or before a character a token never continues with. A value
 * that merely shares a prefix with a secret continues with other token characters and is kept.
 */
function redactCutPieces(text: string, secret: string): string {
  let out = text;
  // The secret's start, cut at its end.
  const head = secret.slice(0, MIN_PIECE_CHARS);
  for (let i = out.indexOf(head); i >= 0; i = out.indexOf(head, i + 1)) {
    let k = MIN_PIECE_CHARS;
    while (k < secret.length && i + k < out.length && out[i + k] === secret[k]) k++;
    if (k < secret.length && (i + k === out.length || !TOKEN_CHAR.test(out[i + k]!))) {
      out = out.slice(0, i) + REDACTED + out.slice(i + k);
    }
  }
  // The secret's end, cut at its start (a preview that kept the tail of a text).
  const tail = secret.slice(-MIN_PIECE_CHARS);
  for (let j = out.indexOf(tail); j >= 0; j = out.indexOf(tail, j + 1)) {
    const end = j + MIN_PIECE_CHARS;
    let k = MIN_PIECE_CHARS;
    while (k < secret.length && end - k - 1 >= 0 && out[end - k - 1] === secret[secret.length - k - 1]) k++;
    const start = end - k;
    if (k < secret.length && (start === 0 || !TOKEN_CHAR.test(out[start - 1]!))) {
      out = out.slice(0, start) + REDACTED + out.slice(end);
      j = start;
    }
  }
  return out;
}
