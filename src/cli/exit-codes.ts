/** Process exit codes, one per way a run can end, so CI can tell them apart. */
export const ExitCode = {
  ok: 0,
  /** The run could not complete: unreachable target, an error inside inferbench. */
  runError: 1,
  /** The scenario or flags are invalid; nothing was sent. */
  badConfig: 2,
  /** The run completed but a threshold failed (or `compare --fail-on` matched). */
  thresholdFailed: 3,
  /** Stopped by Ctrl+C (128 + SIGINT); what was measured was still written. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
