import type { Command } from 'commander';
import { PROTOCOL_NAMES, descriptorOf } from '../protocols/registry.js';

/** `inferbench protocols`: every protocol with what it measures and an example, from the registry. */
export function registerProtocolsCommand(program: Command): void {
  program
    .command('protocols')
    .description('list the protocols inferbench speaks, the metric family each measures, and an example')
    .action(() => {
      const lines: string[] = [];
      for (const name of PROTOCOL_NAMES) {
        const d = descriptorOf(name)!;
        lines.push(`${name}: ${d.summary}`, `  metrics: ${familyText(d)}`, `  e.g. ${d.example}`, '');
      }
      process.stdout.write(lines.join('\n'));
    });
}

function familyText(d: NonNullable<ReturnType<typeof descriptorOf>>): string {
  // The families a default target of this protocol produces; options such as frames or stream: false change them.
  const shown = new Set<string>();
  const parsed = d.schema.safeParse({ protocol: exampleProtocol(d), ...placeholderTarget(d) });
  if (!parsed.success) return 'see the summary';
  for (const f of d.families(parsed.data as never)) {
    shown.add(`${f.family}${f.streamed ? ' (streamed)' : ''}${f.inProcess ? ' (in process)' : ''}`);
  }
  return [...shown].join(' or ');
}

function exampleProtocol(d: NonNullable<ReturnType<typeof descriptorOf>>): string {
  return (d.schema as unknown as { shape: { protocol: { value: string } } }).shape.protocol.value;
}

/** The fewest fields each schema needs to parse, so its default family can be shown. */
function placeholderTarget(d: NonNullable<ReturnType<typeof descriptorOf>>): Record<string, unknown> {
  const name = exampleProtocol(d);
  if (name === 'grpc') return { url: 'grpc://127.0.0.1:50051', proto: 'detector', method: 'a.B/C' };
  if (name === 'websocket') return { url: 'ws://127.0.0.1:8000/ws' };
  if (name === 'local') return { module: './model.mjs' };
  if (name === 'sse' || name === 'ndjson') return { url: 'http://127.0.0.1:8000/', content_path: 'text' };
  if (name === 'ollama') return { url: 'http://127.0.0.1:11434', model: 'm' };
  if (name === 'gradio') return { url: 'http://127.0.0.1:7860', data: [] };
  return { url: 'http://127.0.0.1:8000/' };
}
