import { defineProtocol } from '../descriptor.js';
import { gradioTargetSchema } from './schema.js';

export const gradioProtocol = defineProtocol({
  schema: gradioTargetSchema,
  summary: "a Gradio app's queue API, as Hugging Face Spaces serve it (POST /call/<api>, then its SSE stream)",
  families: () => [{ family: 'text', streamed: true }],
  textual: () => true,
  textHint: '--debug sse to see the raw events, then point --text-path (e.g. "0" or "1[0].content") at the text',
  impliedBy: /\.hf\.space(\/|$)|\/gradio_api(\/|$)/,
  example: `inferbench run --protocol gradio --url https://owner-space.hf.space --api /predict --data '["Hello", 512]' --token '\${HF_TOKEN}' -n 5 --verbose`,
  metrics: {
    submit: { unit: 'ms', definition: 'POST /call/<api> (or queue/join) until its event_id arrived' },
    queue_time: { unit: 'ms', definition: 'queue mode: event_id until the app started processing (process_starts)' },
    queue_rank_count: { unit: 'count', definition: 'queue mode: the first queue rank the server reported' },
    chars_per_s: { unit: 'chars/s', definition: 'characters of text / stream time', families: ['text'], streamOnly: true },
  },
  create: async (target, ctx) => {
    // A literal token (not ${ENV}) is hidden from logs too.
    if (target.token) ctx.secrets.add(target.token);
    return new (await import('./client.js')).GradioClient(target, ctx);
  },
});
