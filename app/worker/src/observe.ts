import type { Env } from "./env";

// Following a request from the web app into the signer, and reporting the signer's own
// failures: one JSON log line per request naming the caller's request id and W3C trace, and
// unhandled errors posted to Sentry's envelope endpoint (when SENTRY_DSN is bound) with the
// same scrubbing as the web app: no headers, query strings, bodies, tokens or emails.

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface RequestIds {
  request_id: string;
  trace_id?: string;
  /** The caller's span: the web app's "signer ..." client span. */
  parent_span_id?: string;
  traceparent?: string;
}

/** The ids a request arrives with; a request id is made up when the caller sent none. */
export function requestIds(request: Request): RequestIds {
  const incoming = request.headers.get("x-request-id");
  const ids: RequestIds = {
    request_id: incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID(),
  };
  const tp = request.headers.get("traceparent")?.trim().toLowerCase();
  const m = tp ? TRACEPARENT.exec(tp) : null;
  if (m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!)) {
    ids.traceparent = tp;
    ids.trace_id = m[1];
    ids.parent_span_id = m[2];
  }
  return ids;
}

export function log(
  level: "info" | "warn" | "error",
  msg: string,
  fields: Record<string, unknown>,
): void {
  const line = JSON.stringify({ level, msg, service: "ara-signer", ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

// Each starts only where a run of its characters starts: linear, not quadratic, in a long run.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;
const QUERY = /(https?:\/\/[^\s?#]+)\?[^\s#]*/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
const TOKENISH = /[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]+){0,2}/g;

/** Emails, bearer tokens, URL credentials, query strings (signatures) and token-like runs out. */
export function scrubText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, "$1[redacted]@")
    .replace(QUERY, "$1?[redacted]")
    .replace(BEARER, "Bearer [redacted]")
    .replace(EMAIL, "[email]")
    .replace(JWT, "[redacted]")
    .replace(TOKENISH, "[redacted]");
}

interface Frame {
  function?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

function frames(stack: string | undefined): Frame[] {
  const out: Frame[] = [];
  for (const line of (stack ?? "").split("\n").slice(1, 51)) {
    const m = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    out.push({
      ...(m[1] ? { function: m[1] } : {}),
      filename: m[2]!,
      lineno: Number(m[3]),
      colno: Number(m[4]),
      in_app: true,
    });
  }
  return out.reverse();
}

export function parseDsn(dsn: string): { envelopeUrl: string; publicKey: string } | null {
  try {
    const u = new URL(dsn);
    const projectId = u.pathname.split("/").filter(Boolean).pop();
    if (!u.username || !projectId || !/^\d+$/.test(projectId)) return null;
    const prefix = u.pathname.slice(0, u.pathname.lastIndexOf("/"));
    return {
      envelopeUrl: `${u.protocol}//${u.host}${prefix}/api/${projectId}/envelope/`,
      publicKey: decodeURIComponent(u.username),
    };
  } catch {
    return null;
  }
}

/** The Sentry event for an unhandled error: type, scrubbed message, stack, route, ids. */
export function errorEvent(
  err: unknown,
  request: { method: string; path: string },
  ids: RequestIds,
): Record<string, unknown> {
  const e = err instanceof Error ? err : new Error("non-error value thrown");
  return {
    event_id: crypto.randomUUID().replace(/-/g, ""),
    timestamp: Date.now() / 1000,
    platform: "javascript",
    level: "error",
    logger: "ara-signer",
    transaction: `${request.method} ${scrubText(request.path)}`,
    exception: {
      values: [
        {
          type: e.name,
          value: scrubText(e.message),
          stacktrace: {
            frames: frames(e.stack).map((f) => ({
              ...f,
              ...(f.function ? { function: scrubText(f.function) } : {}),
            })),
          },
          mechanism: { type: "onerror", handled: false },
        },
      ],
    },
    tags: { request_id: ids.request_id },
    ...(ids.trace_id
      ? { contexts: { trace: { trace_id: ids.trace_id, span_id: ids.parent_span_id } } }
      : {}),
  };
}

/** Posts the event in the background (ctx.waitUntil); a failure is logged, never thrown. */
export function reportError(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil"> | undefined,
  event: Record<string, unknown>,
): void {
  if (!env.SENTRY_DSN) return;
  const dsn = parseDsn(String(env.SENTRY_DSN));
  if (!dsn) {
    log("warn", "SENTRY_DSN is not a Sentry DSN; error not reported", {});
    return;
  }
  const body = [
    JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: "event" }),
    JSON.stringify(event),
  ].join("\n");
  const sent = fetch(dsn.envelopeUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-sentry-envelope",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${dsn.publicKey}, sentry_client=ara-signer/0.1`,
    },
    body: body + "\n",
    signal: AbortSignal.timeout(3000),
  }).then(
    async (res) => {
      await res.body?.cancel();
      if (!res.ok) log("warn", "error report to Sentry failed", { status: res.status });
    },
    (e: unknown) => log("warn", "error report to Sentry failed", { error: scrubText(String(e)) }),
  );
  ctx?.waitUntil(sent);
}
