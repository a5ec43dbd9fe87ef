import { spawn, type ChildProcess } from 'node:child_process';

/** One request in an example server's write log (examples/openai-engine-server.mjs). */
export interface WriteLogRecord {
  id: string;
  endpoint: 'chat' | 'completions';
  receivedMs: number;
  promptTokens: number;
  completionTokens: number;
  /** One per token streamed (one for a whole answer): performance.now() right before the write. */
  writes: { atMs: number; epochMs: number; tokens: number; chars: number }[];
  endMs: number;
}

/** Starts an example's server.mjs (with `--port 0` among `command`'s arguments) and resolves with its base URL once it listens. */
export function startExampleServer(command: string[], cwd: string): Promise<{ server: ChildProcess; url: string }> {
  const [cmd, ...args] = command;
  const server = spawn(cmd!, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(seen);
      if (m) resolve({ server, url: m[1]! });
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('close', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening:\n${seen}`)));
  });
}

export async function readWriteLog(url: string): Promise<WriteLogRecord[]> {
  return ((await (await fetch(`${url}/write-log`)).json()) as { requests: WriteLogRecord[] }).requests;
}

export async function clearWriteLog(url: string): Promise<void> {
  await fetch(`${url}/write-log`, { method: 'DELETE' });
}
