/**
 * Runs `fn` with everything written to stdout (a user's module calling console.log) sent to
 * stderr instead, so a command whose stdout is a machine-readable document (--json) stays one.
 */
export async function withStdoutOnStderr<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}
