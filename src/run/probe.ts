import { connect } from 'node:net';

/** The target cannot be reached at all: reported before any load, with its URL and cause. */
export class TargetUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Cannot reach ${url}: ${reason}. Is the server running and is the URL right?`);
    this.name = 'TargetUnreachableError';
  }
}

/**
 * Opens (and closes) one TCP connection to the URL's host and port. This tells an
 * unreachable target from a slow one without sending a request the server would have
 * to work on.
 */
export function probeTcp(url: string, timeoutMs = 5000): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (cause: string) => {
      socket.destroy();
      reject(new TargetUnreachableError(url, cause));
    };
    socket.setTimeout(timeoutMs, () => fail(`no TCP connection within ${timeoutMs} ms`));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ? `${err.code} (${err.message})` : err.message));
  });
}
