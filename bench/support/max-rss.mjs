// Preloaded into the client process by bench/limits.ts: prints the process's peak RSS when it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\n[max-rss-kb] ${process.resourceUsage().maxRSS}\n`));
