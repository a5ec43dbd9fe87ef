/**
 * The CLI's output: one redactor for the whole process. main.ts routes stdout and stderr
 * through it (results/redacting-sinks.ts); each command links the secrets of the scenarios it
 * loads, and writes its files with it.
 */
import { Redactor } from '../model/redact.js';
import { writeRedactedFile } from '../results/redacting-sinks.js';

export const cliRedactor = new Redactor();

/** Hides a scenario's secrets (and any it registers later) from everything this process prints or writes. */
export function hideSecrets(secrets: Redactor): void {
  cliRedactor.link(secrets);
}

/** Writes a report or other output file through the process's redactor. */
export function writeOutputFile(path: string, text: string): Promise<void> {
  return writeRedactedFile(path, text, cliRedactor);
}
