import { randomUUID } from "node:crypto";
import type { Logger } from "../logger";
import { scrub } from "../logger";
import { logIds } from "./context";

// Errors to Sentry through its envelope endpoint, without @sentry/node: that SDK installs its
// own OpenTelemetry tracer provider, context manager and module patches, which would compete
// with the app's (src/telemetry) for the global context and add spans of its own. What the app
// needs is small: one event per unexpected error, with its stack, the request's trace and
// request id, and nothing a user typed or a token.

export interface SentryDsn {
  envelopeUrl: string;
  publicKey: string;
}

export function parseDsn(dsn: string): SentryDsn {
  const u = new URL(dsn);
  const projectId = u.pathname.split("/").filter(Boolean).pop()!;
  const prefix = u.pathname.slice(0, u.pathname.lastIndexOf("/"));
  return {
    envelopeUrl: `${u.protocol}//${u.host}${prefix}/api/${projectId}/envelope/`,
    publicKey: decodeURIComponent(u.username),
  };
}

interface Frame {
  function?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

// V8 stack lines ("at fn (file:line:col)" or "at file:line:col"), oldest call first as Sentry
// wants them. Only names and positions: the message line is not part of the frames.
export function parseStack(stack: string | undefined): Frame[] {
  if (!stack) return [];
  const frames: Frame[] = [];
  for (const line of stack.split("\n").slice(1, 51)) {
    const m = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    const filename = m[2]!;
    frames.push({
      ...(m[1] ? { function: m[1] } : {}),
      filename,
      lineno: Number(m[3]),
      colno: Number(m[4]),
      in_app: !filename.includes("node_modules") && !filename.startsWith("node:"),
    });
  }
  return frames.reverse();
}

// JWTs (access tokens), and long base64url runs: refresh tokens, signatures, keys.
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
const TOKENISH = /[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]+){0,2}/g;

/** Scrubs a string as the logs do (credentials in URLs, bearer tokens, emails) and drops token-like runs. */
export function scrubText(text: string): string {
  return scrub(text).replace(JWT, "[redacted]").replace(TOKENISH, "[redacted]");
}

export type SentryEvent = Record<string, unknown>;

// The last line of defence, run on every event before it is sent, whatever built it: no
// request headers, cookies, body, query string or user, and every remaining string scrubbed.
// Trace and span ids (hex) are kept: they are how an event is found again in the traces.
const KEEP = new Set(["trace_id", "span_id", "event_id", "request_id"]);
export function beforeSend(event: SentryEvent): SentryEvent {
  const clean = { ...event };
  delete clean.user;
  delete clean.breadcrumbs;
  const request = clean.request as Record<string, unknown> | undefined;
  if (request) {
    const url = typeof request.url === "string" ? request.url.split("?")[0] : undefined;
    clean.request = { method: request.method, ...(url ? { url: scrubText(url) } : {}) };
  }
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === "string") {
      return KEEP.has(key) ? v : scrubText(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) =>
          /^(authorization|cookie|set-cookie|email|token|password|body|data|headers|query_string|cookies)$/i.test(
            k,
          )
            ? [k, "[redacted]"]
            : [k, walk(x, k)],
        ),
      );
    }
    return v;
  };
  return walk(clean, "") as SentryEvent;
}

export interface ErrorReporter {
  capture(err: unknown, request?: { method: string; route: string }): void;
  /** Waits for events being sent, up to `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<void>;
}

export const NO_REPORTER: ErrorReporter = {
  capture() {},
  flush: () => Promise.resolve(),
};

export function createErrorReporter(
  options: { dsn?: string; environment: string; release?: string; perMinute?: number },
  logger: Logger,
): ErrorReporter {
  if (!options.dsn) return NO_REPORTER;
  const dsn = parseDsn(options.dsn);
  const perMinute = options.perMinute ?? 30;
  const inflight = new Set<Promise<void>>();
  let windowStart = 0;
  let sentInWindow = 0;
  let lastWarn = -Infinity;

  const send = async (event: SentryEvent) => {
    const header = { event_id: event.event_id, sent_at: new Date().toISOString() };
    const body = `${JSON.stringify(header)}\n${JSON.stringify({ type: "event" })}\n${JSON.stringify(event)}\n`;
    try {
      const res = await fetch(dsn.envelopeUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-sentry-envelope",
          "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${dsn.publicKey}, sentry_client=ara-web/0.1`,
        },
        body,
        signal: AbortSignal.timeout(3000),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`Sentry answered ${res.status}`);
    } catch (err) {
      const now = performance.now();
      if (now - lastWarn > 60_000) {
        lastWarn = now;
        logger.warn({ err }, "error report to Sentry failed");
      }
    }
  };

  return {
    capture(err, request) {
      // A burst of failures (a dependency down) is one problem: a few events tell it.
      const now = Date.now();
      if (now - windowStart > 60_000) {
        windowStart = now;
        sentInWindow = 0;
      }
      if (++sentInWindow > perMinute) return;
      const e = err instanceof Error ? err : new Error("non-error value thrown");
      const ids = logIds();
      const event = beforeSend({
        event_id: randomUUID().replace(/-/g, ""),
        timestamp: now / 1000,
        platform: "node",
        level: "error",
        logger: "ara-web",
        environment: options.environment,
        ...(options.release ? { release: options.release } : {}),
        ...(request ? { transaction: `${request.method} ${request.route}` } : {}),
        exception: {
          values: [
            {
              type: e.name,
              value: e.message,
              stacktrace: { frames: parseStack(e.stack) },
              mechanism: { type: "onerror", handled: false },
            },
          ],
        },
        tags: {
          ...(request ? { method: request.method, route: request.route } : {}),
          ...(ids.request_id ? { request_id: ids.request_id } : {}),
        },
        ...(ids.trace_id
          ? { contexts: { trace: { trace_id: ids.trace_id, span_id: ids.span_id } } }
          : {}),
      });
      const p = send(event).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async flush(timeoutMs) {
      if (inflight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inflight]),
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
