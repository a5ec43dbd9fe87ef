/**
 * The one layer every byte inferbench writes passes through: results, records, reports and
 * every other file (writeRedactedFile, RedactedFileWriter), and, in the CLI, stdout and stderr
 * (redactProcessOutput: summaries, progress, --verbose, --debug taps, --json, error messages).
 * Each write is redacted whole, so a secret is hidden before any consumer can cut it short.
 * test/results/redacting-sinks.test.ts checks that no other module in src/ writes a file or a
 * standard stream.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Redactor } from '../model/redact.js';

/** Credential-shaped text is hidden even when no secret was registered. */
const PATTERNS_ONLY = new Redactor();

/** A file that cannot be written: names the path and the cause (a user can fix it). */
export class OutputFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write ${path}: ${(cause as Error).message ?? String(cause)}`);
    this.name = 'OutputFileError';
  }
}

/**
 * Writes a whole text file, redacted. `atomic`: a reader never sees half a file, even if the
 * process dies mid-write (a temp file in the same directory, so the rename is atomic; fsync; rename).
 */
export async function writeRedactedFile(path: string, text: string, redactor: Redactor = PATTERNS_ONLY, opts: { atomic?: boolean } = {}): Promise<void> {
  const safe = redactor.redactText(text);
  try {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    if (!opts.atomic) {
      const file = await open(path, 'w');
      try {
        await file.writeFile(safe);
      } finally {
        await file.close();
      }
      return;
    }
    const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(safe);
      await file.sync();
      await file.close();
      await rename(tmp, path);
    } catch (err) {
      await file.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
    // Make the rename itself durable; some platforms cannot fsync a directory, which is fine.
    const d = await open(dir, 'r').catch(() => undefined);
    await d?.sync().catch(() => {});
    await d?.close();
  } catch (err) {
    throw new OutputFileError(path, err);
  }
}

/**
 * A file written synchronously piece by piece (records), each piece redacted. Synchronous, so
 * writes cannot queue up in memory when the disk is slower than the requests.
 */
export class RedactedFileWriter {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly redactor: Redactor = PATTERNS_ONLY,
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new OutputFileError(path, err);
    }
  }

  write(text: string): void {
    if (this.fd === undefined || text === '') return;
    writeSync(this.fd, this.redactor.redactText(text));
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Creates `path` holding `text` (redacted) only if it does not exist yet, atomically: a reader
 * sees the whole text or no file (written aside, then linked in place). False: it existed.
 */
export function createRedactedFileOnce(path: string, text: string, redactor: Redactor = PATTERNS_ONLY): boolean {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, redactor.redactText(text));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSyncQuiet(tmp);
  }
}

function unlinkSyncQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

let guarded: Redactor | undefined;

/**
 * Every later write to this process's stdout and stderr passes through `redactor` (and the
 * redactors linked to it as runs register their secrets): the CLI's summaries and JSON, the
 * progress line, debug taps, error messages, and whatever a library prints. Installed once.
 */
export function redactProcessOutput(redactor: Redactor): void {
  if (guarded) {
    guarded.link(redactor);
    return;
  }
  guarded = redactor;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      // An encoding argument described the original chunk; the redacted text is a UTF-8 string.
      const tail = typeof rest[0] === 'string' ? rest.slice(1) : rest;
      return write(redactor.redactText(text), 'utf8', ...tail);
    }) as typeof stream.write;
  }
}
