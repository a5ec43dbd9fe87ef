/** Each protocol's target against the reference server's emulation of it. */
export const TARGETS: Record<string, (url: string) => Record<string, unknown>> = {
  'tgi /generate_stream': (url) => ({ protocol: 'tgi', url, prompt: 'My name is', max_new_tokens: 64 }),
  'ollama /api/generate': (url) => ({ protocol: 'ollama', url: `${url}/api/generate`, model: 'llama3.2', prompt: 'Why is the sky blue?' }),
  'ollama /api/chat': (url) => ({ protocol: 'ollama', url: `${url}/api/chat`, model: 'llama3.2', prompt: 'Why is the sky blue?' }),
  'kserve generate_stream (Triton)': (url) => ({ protocol: 'kserve', url: `${url}/v2/models/ensemble/generate_stream`, prompt: 'Hello', parameters: { max_tokens: 64 } }),
  'openai-responses': (url) => ({ protocol: 'openai-responses', url, input: 'Hello', max_output_tokens: 64 }),
  'sse (generic, over OpenAI chat)': (url) => ({
    protocol: 'sse',
    url: `${url}/v1/chat/completions`,
    body: { model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } },
    content_path: 'choices[0].delta.content',
    usage_path: 'usage.completion_tokens',
    done_data: '[DONE]',
  }),
  'ndjson (generic, over Ollama)': (url) => ({
    protocol: 'ndjson',
    url: `${url}/api/generate`,
    body: { model: 'm', prompt: 'Hi' },
    content_path: 'response',
    end_path: 'done',
    usage_path: 'eval_count',
  }),
};
