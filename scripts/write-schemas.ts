/**
 * Writes the checked-in JSON Schemas (`npm run schema`); a test fails when either is stale.
 * - schema/results.schema.json from src/results/schema.ts (what results files contain)
 * - schema/scenario.schema.json from src/scenario/schema.ts (what users write; editors complete with it)
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { resultsJsonSchema } from '../src/results/schema.js';
import { scenarioSchema } from '../src/scenario/schema.js';

export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('../schema/results.schema.json', import.meta.url));
export const SCENARIO_SCHEMA_PATH = fileURLToPath(new URL('../schema/scenario.schema.json', import.meta.url));

/** The file's exact text, so the staleness test and this script agree byte for byte. */
export function resultsSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}

/** The scenario as a user writes it (input side: defaults optional, durations as strings or numbers). */
export function scenarioSchemaText(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  // With `steps`, the top-level target holds only what every step shares (each step's target is
  // laid over it), so there it is any object; without steps it is a whole target.
  const { target, ...properties } = schema.properties as Record<string, unknown>;
  const required = (schema.required as string[] | undefined)?.filter((r) => r !== 'target');
  const out = {
    ...schema,
    properties: { ...properties, target: { description: 'The target; with steps, the fields every step shares', type: 'object' } },
    ...(required?.length ? { required } : { required: undefined }),
    if: { required: ['steps'] },
    then: {},
    else: { required: ['target'], properties: { target } },
  };
  return `${JSON.stringify({ ...out, title: 'inferbench scenario' }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(RESULTS_SCHEMA_PATH, resultsSchemaText());
  await writeFile(SCENARIO_SCHEMA_PATH, scenarioSchemaText());
  console.log(`wrote ${RESULTS_SCHEMA_PATH}\nwrote ${SCENARIO_SCHEMA_PATH}`);
}
