#!/usr/bin/env node
/**
 * Builds `dist/` when any source is newer than the last build (`dist/.build-stamp`, which `npm
 * run build`, and so `npm ci`, writes too). `npm test` runs it first: tests spawn the built CLI
 * (`node dist/cli/main.js`, as a user runs it) instead of compiling the sources through tsx in
 * every child process (that compile was half the suite's time), and the type check of the tests
 * reads the sources' built declarations (tsconfig.test.json references tsconfig.build.json), so
 * `src/` is checked once, by its build. test/global-setup.ts runs it too, for `npx vitest`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sourcesMs = Math.max(newestMtimeMs(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs, statSync(join(ROOT, 'package.json')).mtimeMs);
if (!existsSync(STAMP) || statSync(STAMP).mtimeMs < sourcesMs) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}
