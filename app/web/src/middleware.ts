import { randomUUID } from "node:crypto";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapGetter,
} from "@opentelemetry/api";
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppDeps } from "./deps";
import { BodyTooLargeError, ClientAbortedError, refuseDeclaredOver } from "./body";
import { fail, HttpError, type AppEnv } from "./http";
import { scrub, type Logger } from "./logger";
import { hitLimit } from "./ratelimit";
import {
  DependencyUnavailableError,
  isRedisUnavailable,
  redisAvailable,
  requireRedis,
  type Redis,
} from "./redis";
import { KEY_PREFIX, type SessionService } from "./sessions";
import { SignerError } from "./signer";
import { REQUEST_ID, type Telemetry } from "./telemetry";

const REQUEST_ID_FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;

// PostgreSQL errors that mean a value, not the server, is at fault: character_not_in_repertoire
// (e.g. U+0000), untranslatable_character, string_data_right_truncation (too long).
const REFUSED_TEXT = new Set(["22021", "22P05", "22001"]);

function routeOf(c: Context): string {
  // The registered pattern (e.g. /api/audits/:id), never the raw path: bounded label cardinality.
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL") return r.path;
  }
  return "unmatched";
}

const headerGetter: TextMapGetter<Headers> = {
  get: (h, key) => h.get(key) ?? undefined,
  keys: (h) => [...h.keys()],
};

/**
 * Request id, trace, access log and metrics. The request's span and id live in the active
 * context for everything the request does, so each log line, database and Redis span and
 * signer call carries them. Bodies, headers and query strings are never logged.
 */
export function accessLog(telemetry: Telemetry, logger: Logger): MiddlewareHandler<AppEnv> {
  const { tracer } = telemetry;
  return async (c, next) => {
    const start = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID_FORMAT.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    const method = c.req.method;
    // A caller's traceparent (another service, a load test) continues its trace.
    const parent = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter);
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method } },
      parent,
    );
    const ctx = trace.setSpan(parent, span).setValue(REQUEST_ID, requestId);
    return context.with(ctx, async () => {
      await next();
      c.res.headers.set("x-request-id", requestId);
      const route = routeOf(c);
      const status = c.res.status;
      const statusClass = `${Math.floor(status / 100)}xx`;
      const seconds = (performance.now() - start) / 1000;
      telemetry.httpDuration.record(seconds, { method, route, status_class: statusClass });
      if (status >= 500) telemetry.errors.add(1, { kind: c.get("errorKind") ?? "http_5xx" });
      span.updateName(`${method} ${route}`);
      span.setAttribute("http.route", route);
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      logger.info({ method, route, status, ms: Math.round(seconds * 100_000) / 100 }, "request");
    });
  };
}

/**
 * Every error becomes JSON `{ error, message }`: refusals keep their status, an unavailable
 * dependency is a 503 with Retry-After, anything else a 500 that quotes the request id and
 * never a stack trace.
 */
export function errorHandler(telemetry: Telemetry, logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof HttpError) return fail(c, err.status, err.code, err.message, err.headers);
    if (err instanceof ClientAbortedError) {
      return fail(c, 400, "client_closed", err.message, { Connection: "close" });
    }
    if (err instanceof BodyTooLargeError) {
      // The unread rest of the body is discarded; closing the connection stops the sender.
      return fail(c, 413, "payload_too_large", err.message, { Connection: "close" });
    }
    if (err instanceof DependencyUnavailableError || isRedisUnavailable(err)) {
      const dependency = err instanceof DependencyUnavailableError ? err.dependency : "redis";
      if (dependency === "redis") telemetry.setDependencyUp("redis", false);
      c.set("errorKind", "dependency_unavailable");
      const message = `${dependency} is unavailable; retry shortly`;
      return fail(c, 503, "dependency_unavailable", message, { "Retry-After": "5" });
    }
    if (err instanceof SignerError) {
      c.set("errorKind", "signer");
      logger.warn({ err }, "signer call failed");
      return fail(c, 502, "signer_error", `Report storage failed: ${err.message}; retry shortly`);
    }
    const pgCode = (err as { code?: unknown }).code;
    if (typeof pgCode === "string" && REFUSED_TEXT.has(pgCode)) {
      // Input validation (text.ts) should have caught it; the value is still the client's to fix.
      logger.warn({ err }, "database refused a text value");
      return fail(
        c,
        400,
        "invalid_request",
        "A text field was refused by the database: remove control characters and unpaired surrogates, and keep to the documented length limits",
      );
    }
    if (typeof pgCode === "string" && /^(08|57P0|53)/.test(pgCode)) {
      c.set("errorKind", "dependency_unavailable");
      logger.warn({ err }, "database unavailable");
      return fail(c, 503, "dependency_unavailable", "database is unavailable; retry shortly");
    }
    if (err instanceof Error && /ECONNREFUSED|timeout|Connection terminated/i.test(err.message)) {
      c.set("errorKind", "dependency_unavailable");
      logger.warn({ err }, "dependency unavailable");
      return fail(c, 503, "dependency_unavailable", "a dependency is unavailable; retry shortly");
    }
    c.set("errorKind", "unhandled");
    // Type and scrubbed message only: a stack or a driver's message can carry values.
    const span = trace.getSpan(context.active());
    span?.addEvent("exception", {
      "exception.type": err instanceof Error ? err.name : typeof err,
      "exception.message": err instanceof Error ? scrub(err.message) : "non-error value thrown",
    });
    telemetry.reportError(err, { method: c.req.method, route: routeOf(c) });
    logger.error({ err }, "unhandled error");
    return fail(
      c,
      500,
      "internal_error",
      `Unexpected error; quote request id ${c.get("requestId")} when reporting it`,
    );
  };
}

/**
 * API responses carry tokens, audit data and signed URLs, so no browser, proxy or CDN may keep
 * a copy. Set after the handler, so refusals and errors carry it too.
 */
export function noStore(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  };
}

/**
 * RATE_LIMIT_PER_MINUTE requests a minute per client IP. The window starts at a client's first
 * request (see ratelimit.ts), so counts are exact and never split by a clock boundary. If
 * Redis is down the limiter fails open: availability of the health endpoints matters more.
 */
export function apiRateLimit(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const { config, logger, redis } = deps;
  return async (c, next) => {
    if (!(await redisAvailable(redis, 500))) return next();
    let result;
    try {
      result = await hitLimit(
        redis,
        `${KEY_PREFIX}rl:ip:${deps.clientIp(c)}`,
        config.RATE_LIMIT_PER_MINUTE,
        60_000,
      );
    } catch (err) {
      logger.warn({ err }, "rate limiter unavailable; allowing request");
      return next();
    }
    c.header("RateLimit-Limit", String(config.RATE_LIMIT_PER_MINUTE));
    c.header("RateLimit-Remaining", String(result.remaining));
    if (!result.allowed) {
      return fail(c, 429, "rate_limited", `Too many requests; retry in ${result.retryAfter} s`, {
        "Retry-After": String(result.retryAfter),
      });
    }
    return next();
  };
}

/**
 * A declared oversized body is refused on every route, whether or not it reads a body;
 * handlers that do read one enforce the same limit on chunked bodies (see body.ts).
 */
export function declaredBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    refuseDeclaredOver(c, maxBytes);
    return next();
  };
}

/** The caller's guest session from `Authorization: Bearer <access token>`, or a 401. */
export function requireSession(
  sessions: SessionService,
  redis: Redis,
  telemetry: Telemetry,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!m) {
      return fail(
        c,
        401,
        "unauthorized",
        "Send the access token from POST /api/sessions as 'Authorization: Bearer <token>'",
        { "WWW-Authenticate": 'Bearer realm="ara"' },
      );
    }
    const sid = await sessions.verifyAccess(m[1]!);
    if (!sid) {
      return fail(
        c,
        401,
        "invalid_token",
        "The access token is invalid or expired; get a new one with POST /api/sessions/refresh",
        { "WWW-Authenticate": 'Bearer realm="ara", error="invalid_token"' },
      );
    }
    await requireRedis(redis);
    const active = await sessions.isActive(sid);
    telemetry.cacheRequests.add(1, { cache: "session", result: active ? "hit" : "miss" });
    if (!active) {
      return fail(
        c,
        401,
        "session_revoked",
        "This session was revoked or has expired; start a new one with POST /api/sessions",
      );
    }
    c.set("sessionId", sid);
    return next();
  };
}
