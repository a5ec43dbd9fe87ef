/**
 * The open-loop drivers of this thread that may have sends due. A transport runs them at the
 * start of each socket read, so a send falls due and leaves between two reads instead of
 * waiting for a whole burst of answers to be handled (an answer costs tens of µs, a burst of
 * them held sends back past 1 ms). The drivers also wake on their own (load/pacer.ts).
 */
const pumps: (() => void)[] = [];

/** Sends whatever is due now, for every open loop on this thread. Cheap when there is none. */
export function runDueSends(): void {
  for (let i = 0; i < pumps.length; i++) pumps[i]!();
}

export function addSendPump(pump: () => void): void {
  pumps.push(pump);
}

export function removeSendPump(pump: () => void): void {
  const i = pumps.indexOf(pump);
  if (i !== -1) pumps.splice(i, 1);
}
