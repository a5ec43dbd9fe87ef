import type { Dispatcher } from 'undici';
import { describeNetworkError, errorMessageOf } from '../wire/http-exchange.js';

export const GRADIO_API_PREFIX = '/gradio_api';
const DISCOVERY_TIMEOUT_MS = 30_000;

/** The parts of a Gradio app's `/config` a client needs. */
export interface GradioConfig {
  version?: string;
  /** `/gradio_api` on 5.x+, "" (absent) on 4.x. */
  apiPrefix: string;
  protocol?: string;
  /** api_name (no slash) → fn_index. */
  fnIndexByApi: Map<string, number>;
  /** api_name (no slash) → the types of its input components in order (`state` inputs are hidden from /info). */
  inputTypesByApi: Map<string, string[]>;
}

/**
 * Where the user's URL points: the app's root, the API prefix if the URL already names it
 * (`…/gradio_api/call/predict`, as the seed's SPACE_URL does), and the endpoint if given.
 */
export function parseGradioUrl(url: string): { root: string; apiPrefix?: string; api?: string } {
  const u = new URL(url);
  let path = u.pathname.replace(/\/+$/, '');
  let apiPrefix: string | undefined;
  let api: string | undefined;
  const call = /\/call\/([^/]+)$/.exec(path);
  if (call) {
    api = call[1];
    path = path.slice(0, call.index);
    apiPrefix = '';
  }
  if (path.endsWith(GRADIO_API_PREFIX)) {
    path = path.slice(0, -GRADIO_API_PREFIX.length);
    apiPrefix = GRADIO_API_PREFIX;
  }
  return { root: `${u.origin}${path}`, apiPrefix, api };
}

async function getJson(dispatcher: Dispatcher, url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const response = await dispatcher.request({ origin: u.origin, path: u.pathname + u.search, method: 'GET', headers, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
  return { status: response.statusCode, body: await response.body.text() };
}

/** GET {root}/config. Throws a sentence naming the URL and the cause. */
export async function fetchGradioConfig(dispatcher: Dispatcher, root: string, headers: Record<string, string>): Promise<GradioConfig> {
  const url = `${root}/config`;
  let result: { status: number; body: string };
  try {
    result = await getJson(dispatcher, url, headers);
  } catch (err) {
    throw new Error(describeNetworkError(err, url, false));
  }
  if (result.status !== 200) throw new Error(`GET ${url}: HTTP ${result.status}: ${errorMessageOf(result.body)}`);
  let config: {
    version?: string;
    api_prefix?: string;
    protocol?: string;
    components?: { id?: number; type?: string }[];
    dependencies?: { id?: number; api_name?: string | null; inputs?: number[] }[];
  };
  try {
    config = JSON.parse(result.body);
  } catch {
    throw new Error(`GET ${url} did not answer JSON (is this a Gradio app?): ${result.body.slice(0, 120)}`);
  }
  const fnIndexByApi = new Map<string, number>();
  const inputTypesByApi = new Map<string, string[]>();
  const typeOf = new Map((config.components ?? []).map((c) => [c.id, c.type ?? 'unknown']));
  (config.dependencies ?? []).forEach((dependency, position) => {
    if (!dependency.api_name) return;
    fnIndexByApi.set(dependency.api_name, dependency.id ?? position);
    if (Array.isArray(dependency.inputs)) inputTypesByApi.set(dependency.api_name, dependency.inputs.map((id) => typeOf.get(id) ?? 'unknown'));
  });
  return { version: config.version, apiPrefix: config.api_prefix ?? '', protocol: config.protocol, fnIndexByApi, inputTypesByApi };
}

export interface GradioParameter {
  label?: string;
  parameter_name?: string;
  parameter_has_default?: boolean;
  parameter_default?: unknown;
  type?: { type?: string };
  python_type?: { type?: string };
  component?: string;
  example_input?: unknown;
}

export interface GradioEndpointInfo {
  parameters: GradioParameter[];
  returns: GradioParameter[];
}

/** GET {root}{prefix}/info: the named endpoints and their parameters (State inputs are hidden there). */
export async function fetchGradioInfo(
  dispatcher: Dispatcher,
  root: string,
  apiPrefix: string,
  headers: Record<string, string>,
): Promise<Record<string, GradioEndpointInfo>> {
  const url = `${root}${apiPrefix}/info`;
  let result: { status: number; body: string };
  try {
    result = await getJson(dispatcher, url, headers);
  } catch (err) {
    throw new Error(describeNetworkError(err, url, false));
  }
  if (result.status !== 200) throw new Error(`GET ${url}: HTTP ${result.status}: ${errorMessageOf(result.body)}`);
  const info = JSON.parse(result.body) as { named_endpoints?: Record<string, GradioEndpointInfo> };
  return info.named_endpoints ?? {};
}
