import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { resultsSchema } from '../../src/results/schema.js';
import { RESULTS_SCHEMA_PATH, resultsSchemaText } from '../../scripts/write-schemas.js';
import { recordedResults } from './results-fixture.js';

// ajv is CommonJS: under NodeNext its class is the module's `default` property.
const Ajv2020 = Ajv2020Module.default;
const checkedIn = readFileSync(RESULTS_SCHEMA_PATH, 'utf8');

describe('results JSON Schema', () => {
  it('is up to date with src/results/schema.ts (run `npm run schema` if this fails)', () => {
    expect(checkedIn).toBe(resultsSchemaText());
  });

  it('accepts a Results value built by a real Recorder', () => {
    const ajv = new Ajv2020({ allErrors: true });
    const validate = ajv.compile(JSON.parse(checkedIn));
    const results = JSON.parse(JSON.stringify(recordedResults()));
    const valid = validate(results);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(resultsSchema.parse(results)).toEqual(results);
    expect(Object.keys(results.points[0].measure.metrics)).toContain('submit');
  });

  it('rejects a results value with a missing count or an unknown field', () => {
    const validate = new Ajv2020().compile(JSON.parse(checkedIn));
    const results = JSON.parse(JSON.stringify(recordedResults()));
    delete results.points[0].measure.counts.ok;
    expect(validate(results)).toBe(false);
    const extra = JSON.parse(JSON.stringify(recordedResults()));
    extra.points[0].measure.surprise = 1;
    expect(validate(extra)).toBe(false);
  });
});
