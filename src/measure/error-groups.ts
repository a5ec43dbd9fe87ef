/**
 * Errors that differ only by the ids they quote are one error: "series "fit_17" was never
 * fit" and "series "fit_18" was never fit" are counted together as `series "<id>" was never
 * fit`. An id is a UUID, a long hex string, a long number, or a word mixing letters (or _ -)
 * with digits (fit_17, req-8f3a9c); short numbers stay (HTTP 404, port 8000, item 3).
 */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi;
const MIXED = /\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z_])[A-Za-z0-9][\w-]{3,}\b/g;
const LONG_NUMBER = /\b\d{6,}\b/g;

export function errorGroupOf(message: string): string {
  return message.replace(UUID, '<id>').replace(HEX, '<id>').replace(MIXED, (word) => (/^[A-Za-z]+\d{1,2}$/.test(word) ? word : '<id>')).replace(LONG_NUMBER, '<id>');
}
