import { z } from 'zod';
import { compilePath } from '../wire/extraction.js';
import { commonTargetFields } from '../../scenario/fields.js';

/** A Gradio app (Hugging Face Spaces) through its queue API. */
export const gradioTargetSchema = z.strictObject({
  protocol: z.literal('gradio'),
  ...commonTargetFields,
  /** The endpoint, as `/info` lists it: `/predict`, `/chat`. Taken from the URL when it ends in `/call/<api>`. */
  api: z.string().regex(/^\/?[\w.-]+$/, 'expected an endpoint name such as "/predict" or "/chat"').optional(),
  /** One entry per input component, State placeholders (null) included; templated. `inferbench gradio-info <url>` lists them. */
  data: z.array(z.unknown(), { error: 'expected the endpoint inputs as a JSON list, e.g. ["You are helpful.", "Hello", 512]' }),
  /** `simple`: POST /call/<api> + GET its stream (curl's way). `queue`: queue/join + the shared queue/data stream (what @gradio/client does). */
  mode: z.enum(['simple', 'queue']).default('simple'),
  /** Hugging Face token for private Spaces, e.g. "${HF_TOKEN}": sent as `Authorization: Bearer` on every request, redacted everywhere. */
  token: z.string().optional(),
  /** `/gradio_api` (Gradio 5+) or "" (4.x). Read from /config when absent, else both are tried. */
  api_prefix: z.enum(['', '/gradio_api']).optional(),
  /** Where the text is in the output list (a path, e.g. "0", "1[0].content", or "0[-1].content" for the last message); default: the first output. */
  text_path: z
    .string()
    .superRefine((path, ctx) => {
      try {
        compilePath(path);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  /** Queue mode: the endpoint's fn_index; taken from /config by name when absent. */
  fn_index: z.number().int().nonnegative().optional(),
});
export type GradioTarget = z.output<typeof gradioTargetSchema>;
