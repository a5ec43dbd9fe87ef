import { isAbsolute, resolve } from 'node:path';
import { TTS_STANDARD_DATASET } from './standard-texts.js';

/** Names of the .proto files inferbench ships (`proto: kserve`), which are not paths. */
const SHIPPED_PROTO_NAMES = new Set(['kserve', 'detector']);

/**
 * Makes the input files a scenario file names (dataset, .proto and its include dirs, local model
 * and request-builder modules, frame folders, TLS files) relative to the file itself, so a
 * scenario runs the same from any directory. Output paths (`output.dir`, `output.file`) stay
 * relative to where inferbench runs, as every tool's output does. CLI flags, laid over the file
 * afterwards, stay relative to the current directory.
 */
export function resolveScenarioPaths(raw: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = structuredClone(raw);
  const at = (p: unknown) => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? resolve(baseDir, p) : p);
  const dataset = out.dataset as Record<string, unknown> | undefined;
  if (dataset && typeof dataset === 'object' && dataset.path !== TTS_STANDARD_DATASET) dataset.path = at(dataset.path);
  const targets: unknown[] = [out.target];
  for (const step of asArray(out.steps)) targets.push((step as Record<string, unknown>)?.target);
  const sweep = out.sweep as { points?: unknown[] } | undefined;
  for (const point of asArray(sweep?.points)) targets.push((point as Record<string, unknown>)?.target);
  for (const target of targets) {
    if (!target || typeof target !== 'object') continue;
    const t = target as Record<string, unknown>;
    if (typeof t.proto === 'string' && !SHIPPED_PROTO_NAMES.has(t.proto)) t.proto = at(t.proto);
    if (Array.isArray(t.include_dirs)) t.include_dirs = t.include_dirs.map(at);
    for (const key of ['module', 'build']) if (key in t) t[key] = at(t[key]);
    const frames = t.frames as Record<string, unknown> | undefined;
    if (frames && typeof frames === 'object' && 'folder' in frames) frames.folder = at(frames.folder);
    const tls = t.tls as Record<string, unknown> | undefined;
    if (tls && typeof tls === 'object') for (const key of ['ca', 'cert', 'key']) if (key in tls) tls[key] = at(tls[key]);
  }
  return out;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
