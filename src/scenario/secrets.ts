import { CREDENTIAL_NAME, Redactor } from '../model/redact.js';

export { REDACTED } from '../model/redact.js';

/**
 * The secrets of one scenario: every value that came from a `${ENV}` substitution and every
 * credential the scenario sends (registerCredentials), hidden from every file and log.
 */
export class SecretRegistry extends Redactor {}

/** Header (and gRPC metadata) names whose values are credentials: `*auth*`, `*key*`, `*token*`, `*secret*`, cookies, passwords. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|passw|session|signature/i;
const HEADER_MAPS = new Set(['headers', 'metadata']);

/**
 * Registers every credential a scenario (after `${ENV}` substitution) would send, whether it
 * came from the environment or was written literally (`-H 'Authorization: Bearer sk-…'`,
 * `--token sk-…`): credential-named fields, credential headers, and what URLs carry (userinfo,
 * `?key=`). Called before anything is printed, so the command line in the results is redacted too.
 */
export function registerCredentials(value: unknown, secrets: SecretRegistry): void {
  // A header map's entries are credentials by their name; elsewhere only credential-named fields are.
  const stack: { v: unknown; key?: string; inHeaders: boolean; depth: number }[] = [{ v: value, inHeaders: false, depth: 0 }];
  while (stack.length) {
    const { v, key, inHeaders, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (key !== undefined && (CREDENTIAL_NAME.test(key) || (inHeaders && CREDENTIAL_HEADER.test(key)))) secrets.addCredential(v);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) secrets.addUrlCredentials(v);
    } else if (Array.isArray(v)) {
      if (depth < MAX_DEPTH) for (const x of v) stack.push({ v: x, key, inHeaders, depth: depth + 1 });
    } else if (v && typeof v === 'object') {
      const headerMap = key !== undefined && HEADER_MAPS.has(key);
      if (depth < MAX_DEPTH) for (const [k, x] of Object.entries(v)) stack.push({ v: x, key: k, inHeaders: headerMap, depth: depth + 1 });
    }
  }
}

/** Scenarios nest a few levels; deeper values are not walked (resolveScenario rejects them first). */
const MAX_DEPTH = 64;

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
