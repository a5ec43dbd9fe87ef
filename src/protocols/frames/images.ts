import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { seededRng, type Rng } from '../../random.js';

// The codecs load on first use: most runs send no images, and every CLI start would pay for them.
// Both packages are CommonJS, so a synchronous require keeps syntheticImage synchronous.
const require = createRequire(import.meta.url);
const codecs = () => ({ PNG: (require('pngjs') as typeof import('pngjs')).PNG, jpeg: require('jpeg-js') as typeof import('jpeg-js') });

export type ImageFormat = 'png' | 'jpeg' | 'raw';

export interface SyntheticImageOptions {
  width: number;
  height: number;
  format: ImageFormat;
  seed: number;
  /** JPEG quality 1–100. */
  quality?: number;
}

/**
 * A seeded synthetic picture: a gradient background with a few filled rectangles (things a
 * detector could find), so PNG and JPEG sizes resemble camera frames rather than noise or
 * a flat colour. `raw` is RGB bytes, row-major (what a model's preprocessing would take).
 */
export function syntheticImage(opts: SyntheticImageOptions): Buffer {
  const { width, height } = opts;
  const rng = seededRng(opts.seed);
  const rgba = Buffer.alloc(width * height * 4);
  const base = [rng() * 255, rng() * 255, rng() * 255];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = (base[0]! + (x * 128) / width) & 255;
      rgba[i + 1] = (base[1]! + (y * 128) / height) & 255;
      rgba[i + 2] = base[2]! & 255;
      rgba[i + 3] = 255;
    }
  }
  const boxes = 3 + Math.floor(rng() * 5);
  for (let b = 0; b < boxes; b++) fillBox(rgba, width, height, rng);
  if (opts.format === 'png') {
    const { PNG } = codecs();
    const png = new PNG({ width, height });
    rgba.copy(png.data);
    return PNG.sync.write(png);
  }
  if (opts.format === 'jpeg') return codecs().jpeg.encode({ data: rgba, width, height }, opts.quality ?? 85).data;
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) rgba.copy(rgb, p * 3, p * 4, p * 4 + 3);
  return rgb;
}

function fillBox(rgba: Buffer, width: number, height: number, rng: Rng): void {
  const w = Math.max(1, Math.floor(width * (0.05 + rng() * 0.3)));
  const h = Math.max(1, Math.floor(height * (0.05 + rng() * 0.3)));
  const x0 = Math.floor(rng() * (width - w));
  const y0 = Math.floor(rng() * (height - h));
  const colour = [rng() * 255, rng() * 255, rng() * 255].map((c) => c & 255);
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = colour[0]!;
      rgba[i + 1] = colour[1]!;
      rgba[i + 2] = colour[2]!;
    }
  }
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.gif', '.raw']);

/** Every image file in a folder (sorted by name), read into memory once before the run. */
export async function readImageFolder(folder: string): Promise<Buffer[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    throw new Error(`cannot read the image folder ${folder}: ${(err as Error).message}`);
  }
  const files = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (files.length === 0) throw new Error(`no images (${[...IMAGE_EXTENSIONS].join(', ')}) in ${folder}`);
  return Promise.all(files.map((f) => readFile(join(folder, f))));
}
