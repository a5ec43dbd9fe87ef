import { STATUS_CODES } from 'node:http';

/** vLLM's current error type names (`engine/protocol.py` ErrorInfo), from the HTTP status. */
function vllmErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 404:
      return 'NotFoundError';
    case 500:
      return 'InternalServerError';
    default:
      // Same spirit for the rest: "Service Unavailable" → "ServiceUnavailableError".
      return (STATUS_CODES[status] ?? 'Unknown').replace(/[^A-Za-z]/g, '') + 'Error';
  }
}

/** The JSON vLLM answers with before a stream starts: `{"error":{"message","type","param","code"}}`. */
export function vllmErrorBody(status: number, message: string) {
  return { error: { message, type: vllmErrorType(status), param: null, code: status } };
}

/**
 * vLLM's mid-stream error payload. It is Python `json.dumps` output, with a space after
 * every `:` and `,`, unlike the compact chunks around it, so a client that matches bytes
 * instead of parsing JSON is caught.
 */
export function vllmStreamErrorJson(status: number, message: string): string {
  return `{"error": {"message": ${JSON.stringify(message)}, "type": "${vllmErrorType(status)}", "param": null, "code": ${status}}}`;
}
