/** Builds `dist/` before the suite when the sources changed (scripts/build-if-stale.mjs says why). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildDistIfStale(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-if-stale.mjs', import.meta.url))], { stdio: 'inherit' });
}
