import { createContextKey, propagation, trace, context, type Context } from "@opentelemetry/api";

// What a request leaves in the active OpenTelemetry context, for the logger, the error reporter
// and the signer client: a module of its own so none of them imports the SDK setup.

/** The request id of the request being served, kept in the OpenTelemetry context beside its span. */
export const REQUEST_ID = createContextKey("ara.request_id");

/** Ids for a log line: the active span's trace and span id and the request id, when there are any. */
export function logIds(ctx: Context = context.active()): Record<string, string> {
  const ids: Record<string, string> = {};
  const sc = trace.getSpan(ctx)?.spanContext();
  if (sc && trace.isSpanContextValid(sc)) {
    ids.trace_id = sc.traceId;
    ids.span_id = sc.spanId;
  }
  const rid = ctx.getValue(REQUEST_ID);
  if (typeof rid === "string") ids.request_id = rid;
  return ids;
}

/** Headers that carry the current trace and request to another service (the signer). */
export function propagationHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  const rid = ctx.getValue(REQUEST_ID);
  if (typeof rid === "string") headers["x-request-id"] = rid;
  return headers;
}
