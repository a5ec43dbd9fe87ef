import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createRequire } from 'node:module';
import { seededRng } from '../random.js';
import { ConfigError } from '../model/config-error.js';
import { TTS_STANDARD_DATASET, ttsStandardRows } from './standard-texts.js';

export type DatasetRow = Record<string, unknown>;

/** Rows for request templates, read once before the run; `rowFor(i)` picks request i's row. */
export interface Dataset {
  size: number;
  rowFor(index: number): DatasetRow;
  /** Every row in file order. */
  rows?: DatasetRow[];
}

export async function loadDataset(
  spec: { path: string; format?: 'jsonl' | 'json' | 'csv'; order: 'sequential' | 'shuffle' },
  seed: number,
): Promise<Dataset> {
  const format = spec.format ?? formatFromExtension(spec.path);
  let rows: DatasetRow[];
  if (spec.path === TTS_STANDARD_DATASET) rows = ttsStandardRows();
  else {
    let text: string;
    try {
      text = await readFile(spec.path, 'utf8');
    } catch (err) {
      throw new ConfigError([{ path: 'dataset.path', message: `cannot read ${spec.path}: ${(err as Error).message} (or use the built-in "${TTS_STANDARD_DATASET}")` }]);
    }
    rows = parseRows(text, format, spec.path);
  }
  if (rows.length === 0) throw new ConfigError([{ path: 'dataset.path', message: `${spec.path} has no rows` }]);
  const order = rows.map((_, i) => i);
  if (spec.order === 'shuffle') {
    const rng = seededRng(seed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return { size: rows.length, rowFor: (index) => rows[order[index % order.length]!]!, rows };
}

function formatFromExtension(path: string): 'jsonl' | 'json' | 'csv' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  return 'jsonl';
}

function parseRows(text: string, format: 'jsonl' | 'json' | 'csv', path: string): DatasetRow[] {
  const asRow = (v: unknown): DatasetRow => (v && typeof v === 'object' && !Array.isArray(v) ? (v as DatasetRow) : { value: v });
  try {
    // csv-parse loads only for a CSV dataset.
    if (format === 'csv') return (createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync')).parse(text, { columns: true, skip_empty_lines: true, cast: true }) as DatasetRow[];
    if (format === 'json') {
      const data = JSON.parse(text) as unknown;
      if (!Array.isArray(data)) throw new Error('expected a JSON array of rows');
      return data.map(asRow);
    }
    return text
      .split('\n')
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line.length > 0)
      .map(([line, n]) => {
        try {
          return asRow(JSON.parse(line));
        } catch (err) {
          throw new Error(`line ${n}: ${(err as Error).message}`);
        }
      });
  } catch (err) {
    throw new ConfigError([{ path: 'dataset.path', message: `${path} is not valid ${format.toUpperCase()}: ${(err as Error).message}` }]);
  }
}
