/** The tokenizer process (measure/tokens.ts): counts each batch of answers and prompts the benchmark sends, in order. */
import { loadEncodeCount, type EncodeCount } from './tokens.js';

let count: EncodeCount | undefined;
const early: { id: number; texts: string[] }[] = [];
const answer = (m: { id: number; texts: string[] }) => process.send!({ id: m.id, tokens: m.texts.map(count!) });
// Listening before the tables load, so no batch sent meanwhile is lost.
process.on('message', (m: { id: number; texts: string[] }) => (count ? answer(m) : early.push(m)));
// The benchmark is gone (it exited, or was killed): so is its tokenizer.
process.on('disconnect', () => process.exit(0));
count = await loadEncodeCount(process.argv[2] ?? 'o200k_base');
early.splice(0).forEach(answer);
process.send!({ ready: true });
