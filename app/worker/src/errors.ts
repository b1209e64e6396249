/** Every refusal the signer makes: an HTTP status, a stable code and a message that says how to fix it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The one error body shape: `{ "error": code, "message": text }`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: code, message }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function httpErrorResponse(err: HttpError): Response {
  return errorResponse(err.status, err.code, err.message, err.headers);
}
