/**
 * The Gradio app the reference server pretends to be: a text generator `/predict` with the
 * inputs of the HF Space benchmark seed (system prompt, user prompt, max tokens, temperature,
 * top p) and a ChatInterface-style `/chat` ([message, state]). Shared by the simple `/call`
 * routes and the session queue routes.
 */
import { randomUUID } from 'node:crypto';
import type { RouteContext } from './route-context.js';
import type { GenerationLimits } from './request-plan.js';

export const GRADIO_API_PREFIX = '/gradio_api';

export interface GradioEndpoint {
  fnIndex: number;
  apiName: string;
  /** Inputs the request's `data` must hold (State placeholders included). */
  inputCount: number;
  /** The input components' types, as /config lists them; `state` inputs are hidden from /info. */
  inputComponents: string[];
  /** The output value list for the text generated so far. */
  outputs(text: string): unknown[];
  limits(data: unknown[]): GenerationLimits;
  info: unknown;
}

const textParameter = (label: string, name: string, example: string) => ({
  label,
  parameter_name: name,
  parameter_has_default: false,
  parameter_default: null,
  type: { type: 'string' },
  python_type: { type: 'str', description: '' },
  component: 'Textbox',
  example_input: example,
});
const numberParameter = (label: string, name: string, value: number) => ({
  label,
  parameter_name: name,
  parameter_has_default: true,
  parameter_default: value,
  type: { type: 'number' },
  python_type: { type: 'float', description: '' },
  component: 'Slider',
  example_input: value,
});
const textReturn = (label: string) => ({ label, type: { type: 'string' }, python_type: { type: 'str', description: '' }, component: 'Textbox' });

export const GRADIO_ENDPOINTS: GradioEndpoint[] = [
  {
    fnIndex: 0,
    apiName: 'predict',
    inputCount: 5,
    inputComponents: ['textbox', 'textbox', 'slider', 'slider', 'slider'],
    outputs: (text) => [text],
    limits: (data) => ({ maxTokens: typeof data[2] === 'number' && Number.isInteger(data[2]) && data[2] > 0 ? data[2] : undefined }),
    info: {
      parameters: [
        textParameter('System prompt', 'system_prompt', 'You are a helpful assistant.'),
        textParameter('User prompt', 'user_prompt', 'Hello!'),
        numberParameter('Max new tokens', 'max_tokens', 512),
        numberParameter('Temperature', 'temperature', 0.1),
        numberParameter('Top-p', 'top_p', 0.1),
      ],
      returns: [textReturn('Output')],
      show_api: true,
    },
  },
  {
    fnIndex: 1,
    apiName: 'chat',
    // [textbox, chatbot State]: the State is hidden from /info but needs a null placeholder.
    inputCount: 2,
    inputComponents: ['textbox', 'state'],
    outputs: (text) => [text, null],
    limits: () => ({}),
    info: { parameters: [textParameter('Message', 'message', 'Hello!!')], returns: [textReturn('Value')], show_api: true },
  },
];

export function endpointByName(apiName: string): GradioEndpoint | undefined {
  return GRADIO_ENDPOINTS.find((e) => e.apiName === apiName);
}

/** The routes of the configured version live under this prefix; the other version's paths are 404s. */
export function servesPrefix(context: RouteContext, prefix: string): boolean {
  return (context.settings.gradioVersion === 5 ? GRADIO_API_PREFIX : '') === prefix;
}

export function gradioVersionString(context: RouteContext): string {
  return context.settings.gradioVersion === 5 ? '5.49.1' : '4.44.1';
}

/** `uuid.uuid4().hex`, as Gradio's `Event` ids are. */
export function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}

/** FastAPI's answer to an unknown path. */
export function notFound(context: RouteContext): void {
  context.sendJson(404, { detail: 'Not Found' }, 'error');
}

export function gradioConfig(context: RouteContext): unknown {
  const v5 = context.settings.gradioVersion === 5;
  return {
    version: gradioVersionString(context),
    ...(v5 ? { api_prefix: GRADIO_API_PREFIX } : {}),
    mode: 'blocks',
    dev_mode: false,
    analytics_enabled: false,
    components: GRADIO_ENDPOINTS.flatMap((e) => e.inputComponents.map((type, i) => ({ id: componentId(e, i), type, props: {} }))),
    protocol: 'sse_v3',
    connect_heartbeat: false,
    dependencies: GRADIO_ENDPOINTS.map((e) => ({
      id: e.fnIndex,
      targets: [],
      inputs: e.inputComponents.map((_, i) => componentId(e, i)),
      outputs: [],
      api_name: e.apiName,
      queue: true,
      connection: 'sse',
      show_api: true,
    })),
  };
}

/** A component id per endpoint input, unique across the app (as Gradio numbers its blocks). */
function componentId(e: GradioEndpoint, input: number): number {
  return 100 * (e.fnIndex + 1) + input;
}

export function gradioInfo(): unknown {
  return { named_endpoints: Object.fromEntries(GRADIO_ENDPOINTS.map((e) => [`/${e.apiName}`, e.info])), unnamed_endpoints: {} };
}
