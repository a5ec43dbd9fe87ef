/**
 * Secrets never reach a file or a log. Two kinds are hidden: every value that came from a
 * `${ENV}` substitution, and the values of fields whose names say they hold credentials.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /^(authorization|proxy-authorization|x-api-key|api[-_]?key|.*token|.*secret|.*password|cookie)$/i;

export class SecretRegistry {
  private readonly valuesSet = new Set<string>();

  values(): IterableIterator<string> {
    return this.valuesSet.values();
  }

  add(value: string): void {
    // Very short values would redact ordinary words; env values that short are not credentials.
    if (value.length >= 4) this.valuesSet.add(value);
  }

  get size(): number {
    return this.valuesSet.size;
  }

  /** Replaces every known secret value inside a string. */
  redactText(text: string): string {
    let out = text;
    for (const v of this.valuesSet) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }

  /** A deep copy with secret values and credential-named fields replaced. */
  redact<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && SECRET_KEY.test(key) && value.length > 0) return REDACTED;
      return this.redactText(value);
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, k);
      return out;
    }
    return value;
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of a parsed scenario with the
 * environment's value, registering each substituted value as a secret. Missing variables
 * are returned as problems (path + name), all at once.
 */
export function substituteEnv(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  secrets: SecretRegistry,
): { value: unknown; missing: { path: string; name: string }[] } {
  const missing: { path: string; name: string }[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') {
          secrets.add(found);
          return found;
        }
        if (fallback !== undefined) return fallback;
        missing.push({ path, name });
        return '';
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, path ? `${path}.${k}` : k);
      return out;
    }
    return v;
  };
  return { value: walk(raw, ''), missing };
}
