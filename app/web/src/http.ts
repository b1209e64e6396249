import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { readBody } from "./body";

// The app's HTTP vocabulary, shared by the middleware and every route: its Hono environment,
// JSON errors (`{ error, message }`), and input that is parsed before it is trusted.

/**
 * Per-request values: set by the access log (requestId), by requireSession (sessionId) and by
 * the error handler (errorKind, the `kind` label of ara_errors_total for a 5xx).
 */
export type AppEnv = {
  Variables: { requestId: string; sessionId: string; errorKind: string };
};

/** A refusal with its status, code and message; the error handler renders it as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 10)
    .map((i) => {
      const path = i.path.map(String).join(".");
      if (i.code === "unrecognized_keys") {
        return `${path ? path + ": " : ""}unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`;
      }
      if (i.code === "invalid_type" && i.input === undefined) return `${path} is required`;
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new HttpError(400, "invalid_request", describeZodError(r.error));
  return r.data;
}

export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "Send a JSON body with 'Content-Type: application/json'",
    );
  }
  const body = await readBody(c, maxBytes);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON");
  }
}

export const fail = (
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  headers: Record<string, string> = {},
) => {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ error, message }, status);
};
