import { randomUUID } from "node:crypto";
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppDeps } from "./deps";
import { BodyTooLargeError, ClientAbortedError, refuseDeclaredOver } from "./body";
import { fail, HttpError, type AppEnv } from "./http";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import { hitLimit } from "./ratelimit";
import { DependencyUnavailableError, redisAvailable, requireRedis, type Redis } from "./redis";
import { KEY_PREFIX, type SessionService } from "./sessions";
import { SignerError } from "./signer";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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

/** Request id, access log and metrics. Bodies, headers and query strings are never logged. */
export function accessLog(metrics: Metrics, logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    await next();
    c.res.headers.set("x-request-id", requestId);
    const route = routeOf(c);
    const status = String(c.res.status);
    const seconds = (performance.now() - start) / 1000;
    const labels = { method: c.req.method, route, status };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, seconds);
    logger.info(
      {
        reqId: requestId,
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 100_000) / 100,
      },
      "request",
    );
  };
}

/**
 * Every error becomes JSON `{ error, message }`: refusals keep their status, an unavailable
 * dependency is a 503 with Retry-After, anything else a 500 that quotes the request id and
 * never a stack trace.
 */
export function errorHandler(metrics: Metrics, logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof HttpError) return fail(c, err.status, err.code, err.message, err.headers);
    if (err instanceof ClientAbortedError) {
      return fail(c, 400, "client_closed", err.message, { Connection: "close" });
    }
    if (err instanceof BodyTooLargeError) {
      // The unread rest of the body is discarded; closing the connection stops the sender.
      return fail(c, 413, "payload_too_large", err.message, { Connection: "close" });
    }
    if (err instanceof DependencyUnavailableError) {
      metrics.dependencyUp.set({ dependency: err.dependency }, 0);
      return fail(c, 503, "dependency_unavailable", err.message, { "Retry-After": "5" });
    }
    if (err instanceof SignerError) {
      logger.warn({ reqId: c.get("requestId"), err }, "signer call failed");
      return fail(c, 502, "signer_error", `Report storage failed: ${err.message}; retry shortly`);
    }
    const pgCode = (err as { code?: unknown }).code;
    if (typeof pgCode === "string" && REFUSED_TEXT.has(pgCode)) {
      // Input validation (text.ts) should have caught it; the value is still the client's to fix.
      logger.warn({ reqId: c.get("requestId"), err }, "database refused a text value");
      return fail(
        c,
        400,
        "invalid_request",
        "A text field was refused by the database: remove control characters and unpaired surrogates, and keep to the documented length limits",
      );
    }
    if (typeof pgCode === "string" && /^(08|57P0|53)/.test(pgCode)) {
      logger.warn({ reqId: c.get("requestId"), err }, "database unavailable");
      return fail(c, 503, "dependency_unavailable", "database is unavailable; retry shortly");
    }
    if (err instanceof Error && /ECONNREFUSED|timeout|Connection terminated/i.test(err.message)) {
      logger.warn({ reqId: c.get("requestId"), err }, "dependency unavailable");
      return fail(c, 503, "dependency_unavailable", "a dependency is unavailable; retry shortly");
    }
    logger.error({ reqId: c.get("requestId"), err }, "unhandled error");
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
      logger.warn({ reqId: c.get("requestId"), err }, "rate limiter unavailable; allowing request");
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
export function requireSession(sessions: SessionService, redis: Redis): MiddlewareHandler<AppEnv> {
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
    if (!(await sessions.isActive(sid))) {
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
