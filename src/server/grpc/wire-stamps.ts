import * as grpc from '@grpc/grpc-js';
import { nowMs } from '../../model/clock.js';

const WIRE_KEY = 'x-inferbench-wire-key';

/**
 * Ground-truth stamps as close to the wire as grpc-js lets a server get, like the HTTP
 * reference server's: "received" when a unary call's request headers arrive (before its
 * message is read and its handler runs), and each answer stamped right before grpc-js
 * serializes and writes it. A server interceptor sees both moments; handlers pick them up
 * through a key it adds to the call's metadata.
 */
export class WireStamps {
  private readonly calls = new Map<string, { receivedMs: number; beforeSend?: () => void }>();
  private next = 1;

  /** The interceptor to install on the grpc.Server (unary methods only; streams stamp per message). */
  readonly interceptor: grpc.ServerInterceptor = (method, call) => {
    if (method.requestStream || method.responseStream) return new grpc.ServerInterceptingCall(call);
    let key: string | undefined;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            key = String(this.next++);
            this.calls.set(key, { receivedMs: nowMs() });
            metadata.set(WIRE_KEY, key);
            pass(metadata);
          },
          onCancel: () => key !== undefined && this.calls.delete(key),
        }),
      sendMessage: (message, pass) => {
        if (key !== undefined) {
          this.calls.get(key)?.beforeSend?.();
          this.calls.delete(key);
        }
        pass(message);
      },
      sendStatus: (status, pass) => {
        if (key !== undefined) this.calls.delete(key);
        pass(status);
      },
    });
  };

  /** When the call's request headers arrived; now when the interceptor did not see it. */
  receivedMs(metadata: grpc.Metadata): number {
    const key = metadata.get(WIRE_KEY)[0];
    return (key !== undefined && this.calls.get(String(key))?.receivedMs) || nowMs();
  }

  /** Runs `stamp` right before the call's answer is written (at once when the interceptor did not see the call). */
  beforeSend(metadata: grpc.Metadata, stamp: () => void): void {
    const key = metadata.get(WIRE_KEY)[0];
    const entry = key !== undefined ? this.calls.get(String(key)) : undefined;
    if (entry) entry.beforeSend = stamp;
    else stamp();
  }
}
