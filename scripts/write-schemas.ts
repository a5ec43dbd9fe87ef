/** Writes schema/results.schema.json from src/results/schema.ts (`npm run schema`); a test fails when it is stale. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resultsJsonSchema } from '../src/results/schema.js';

export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('../schema/results.schema.json', import.meta.url));

/** The file's exact text, so the staleness test and this script agree byte for byte. */
export function resultsSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(RESULTS_SCHEMA_PATH, resultsSchemaText());
  console.log(`wrote ${RESULTS_SCHEMA_PATH}`);
}
