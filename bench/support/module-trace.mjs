/**
 * `node --import ./bench/support/module-trace.mjs …`: at exit, writes to the file named by
 * INFERBENCH_MODULE_TRACE every module the process loaded (ESM through a resolve hook, CommonJS
 * from require.cache), one URL or path per line. bench/startup.ts reads it.
 */
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';

const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register(
  `data:text/javascript,${encodeURIComponent(`
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}`)}`,
  { data: { port: port2 }, transferList: [port2] },
);
process.on('exit', () => {
  const require = createRequire(import.meta.url);
  for (const path of Object.keys(require.cache)) loaded.add(path);
  writeFileSync(process.env.INFERBENCH_MODULE_TRACE, [...loaded].join('\n') + '\n');
});
