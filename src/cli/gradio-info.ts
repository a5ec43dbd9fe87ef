/** `inferbench gradio-info <url>`: a Gradio app's named endpoints and their parameters, so users know what `--data` to send. */
import type { Command } from 'commander';
import { fetchGradioConfig, fetchGradioInfo, GRADIO_API_PREFIX, parseGradioUrl, type GradioEndpointInfo } from '../protocols/gradio/discovery.js';
import { createDispatcher } from '../protocols/wire/http-exchange.js';
import { SecretRegistry, substituteEnv } from '../scenario/secrets.js';
import { ExitCode } from './exit-codes.js';
import { hideSecrets } from './output.js';

export function registerGradioInfoCommand(program: Command): void {
  program
    .command('gradio-info')
    .argument('<url>', 'the app, e.g. https://owner-space.hf.space')
    .description("list a Gradio app's named endpoints and their parameters (from /info), with a ready --data example")
    .option('--token <token>', "bearer token for a private Space, e.g. '${HF_TOKEN}' (redacted)")
    .action(async (url: string, flags: { token?: string }) => {
      process.exitCode = await gradioInfo(url, flags.token);
    });
}

export async function gradioInfo(url: string, rawToken: string | undefined): Promise<ExitCode> {
  const secrets = new SecretRegistry();
  hideSecrets(secrets);
  const { value: token, missing } = substituteEnv(rawToken, process.env, secrets);
  if (typeof token === 'string') secrets.addCredential(token); // a literal token is hidden too
  if (missing.length) {
    process.stderr.write(`--token: environment variable ${missing[0]!.name} is not set; export it first\n`);
    return ExitCode.badConfig;
  }
  let root: string;
  let knownPrefix: string | undefined;
  try {
    ({ root, apiPrefix: knownPrefix } = parseGradioUrl(url));
  } catch {
    process.stderr.write(`gradio-info: "${url}" is not a URL; use one like https://owner-space.hf.space\n`);
    return ExitCode.badConfig;
  }
  if (typeof token === 'string' && token) secrets.add(token);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token as string}` } : {};
  const dispatcher = createDispatcher();
  try {
    let version = 'unknown';
    let prefix = knownPrefix;
    let inputTypes: Map<string, string[]> | undefined;
    try {
      const config = await fetchGradioConfig(dispatcher, root, headers);
      version = config.version ?? version;
      prefix ??= config.apiPrefix;
      inputTypes = config.inputTypesByApi;
    } catch (err) {
      process.stderr.write(secrets.redactText(`note: ${(err as Error).message}; trying both API prefixes\n`));
    }
    let endpoints: Record<string, GradioEndpointInfo> | undefined;
    let lastError: Error | undefined;
    for (const candidate of prefix !== undefined ? [prefix] : [GRADIO_API_PREFIX, '']) {
      try {
        endpoints = await fetchGradioInfo(dispatcher, root, candidate, headers);
        prefix = candidate;
        break;
      } catch (err) {
        lastError = err as Error;
      }
    }
    if (!endpoints) {
      process.stderr.write(secrets.redactText(`gradio-info: cannot read the endpoints: ${lastError?.message}\n`));
      return ExitCode.runError;
    }
    process.stdout.write(secrets.redactText(formatEndpoints(root, version, prefix ?? '', endpoints, inputTypes)));
    return ExitCode.ok;
  } finally {
    await dispatcher.close();
  }
}

function formatEndpoints(root: string, version: string, prefix: string, endpoints: Record<string, GradioEndpointInfo>, inputTypes: Map<string, string[]> | undefined): string {
  const lines = [`Gradio ${version} at ${root} (API prefix: ${prefix || 'none'})`, ''];
  const names = Object.keys(endpoints);
  if (names.length === 0) lines.push('No named endpoints (the app shows no API).');
  for (const name of names) {
    const endpoint = endpoints[name]!;
    lines.push(`${name}`);
    const visible = endpoint.parameters.map((p) => (p.parameter_has_default ? p.parameter_default : (p.example_input ?? null)));
    endpoint.parameters.forEach((p, i) => {
      const type = p.python_type?.type ?? p.type?.type ?? '?';
      const fallback = p.parameter_has_default ? ` = ${JSON.stringify(p.parameter_default)}` : ' (required)';
      lines.push(`  [${i}] ${p.parameter_name ?? p.label ?? 'input'}: ${type}${fallback}  — ${p.component ?? ''}${p.label ? ` "${p.label}"` : ''}`);
    });
    if (endpoint.returns.length) lines.push(`  returns: ${endpoint.returns.map((r) => `${r.label ?? 'output'} (${r.component ?? r.type?.type ?? '?'})`).join(', ')}`);
    // /info hides State inputs; /config lists every input component, so the example places a
    // null where the app takes a State, read from the app itself rather than guessed from the name.
    const types = inputTypes?.get(name.replace(/^\//, ''));
    const hidden = types ? types.filter((t) => t === 'state').length : 0;
    const example = types && types.length === visible.length + hidden ? withStates(types, visible) : visible;
    lines.push(`  try: inferbench run --protocol gradio --url ${root} --api ${name} --data '${JSON.stringify(example)}' -n 5 --verbose`);
    if (hidden) lines.push(`  note: /config lists ${hidden} State input${hidden > 1 ? 's' : ''} that /info hides; the example sends null for ${hidden > 1 ? 'them' : 'it'}.`);
    else if (!types) lines.push('  note: /config was not readable, so inputs hidden from /info (State) are unknown; if the app answers "needed N inputs", add nulls.');
    lines.push('');
  }
  return lines.join('\n');
}

/** The visible inputs in order, with null at each State input's place. */
function withStates(types: string[], visible: unknown[]): unknown[] {
  let next = 0;
  return types.map((t) => (t === 'state' ? null : visible[next++]));
}
