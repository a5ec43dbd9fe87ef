#!/usr/bin/env node
import { TOOL_VERSION } from '../version.js';

// `inferbench --version` answers before the commands load (commander and the command modules
// took ~0.8 s to import on the development machines; the goal is ≤ 150 ms, bench/startup.ts).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${TOOL_VERSION}\n`);
else await (await import('./program.js')).runCli(process.argv);
