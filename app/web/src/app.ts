import { randomUUID } from "node:crypto";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type pg from "pg";
import { z } from "zod";
import { BodyTooLargeError, ClientAbortedError, readBody } from "./body";
import type { Config } from "./config";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import { renderPage } from "./page";
import {
  QUESTIONNAIRE_VERSION,
  QUESTION_IDS,
  answersSchema,
  partialAnswersSchema,
  scoreAudit,
  type Recommendation,
} from "./questionnaire";
import { DependencyUnavailableError, redisAvailable, requireRedis, type Redis } from "./redis";
import { hitLimit } from "./ratelimit";
import { renderReport } from "./report";
import { KEY_PREFIX, SessionService } from "./sessions";
import { SignerError, type SignerClient } from "./signer";

export interface AppDeps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  signer: SignerClient;
  metrics: Metrics;
  // Resolves the caller's address: from the socket, or from proxy headers (see client-ip.ts).
  clientIp: (c: Context) => string;
  // Resolves once the schema is migrated (on Vercel, lazily on first use).
  schemaReady: () => Promise<void>;
}

type Env = { Variables: { requestId: string; sessionId: string } };

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

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WIZARD_MAX_BYTES = 8 * 1024;

const auditBody = z.strictObject({
  organization: z
    .string({ error: "organization must be a string" })
    .trim()
    .min(1, "organization is required")
    .max(200, "organization must be at most 200 characters"),
  email: z
    .email({ error: "email must be a valid email address" })
    .max(254, "email must be at most 254 characters")
    .optional(),
  answers: answersSchema,
});

const wizardBody = z.strictObject({
  step: z.number().int().min(0).max(100),
  answers: partialAnswersSchema.default({}),
  organization: z.string().max(200).optional(),
  completedAuditId: z.string().regex(UUID, "completedAuditId must be a UUID").optional(),
});

const refreshBody = z.strictObject({ refreshToken: z.string().max(200) });

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

function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new HttpError(400, "invalid_request", describeZodError(r.error));
  return r.data;
}

async function readJson(c: Context, maxBytes: number): Promise<unknown> {
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

const fail = (
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  headers: Record<string, string> = {},
) => {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ error, message }, status);
};

function routeOf(c: Context): string {
  // The registered pattern (e.g. /api/audits/:id), never the raw path: bounded label cardinality.
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL") return r.path;
  }
  return "unmatched";
}

async function timed<T>(fn: () => Promise<T>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return Math.round((performance.now() - start) * 100) / 100;
}

export function createApp(deps: AppDeps): Hono<Env> {
  const { config, logger, pool, redis, signer, metrics } = deps;
  const sessions = new SessionService(
    redis,
    config.JWT_SECRET,
    config.ACCESS_TOKEN_TTL_SECONDS,
    config.REFRESH_TOKEN_TTL_SECONDS,
  );
  const page = renderPage();
  const app = new Hono<Env>();

  // Request id, access log and metrics. Bodies, headers and query strings are never logged.
  app.use("*", async (c, next) => {
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
  });

  app.onError((err, c) => {
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
  });

  app.notFound((c) => fail(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`));

  // 100 requests a minute per client IP on /api/*. The window starts at a client's first
  // request (see ratelimit.ts), so counts are exact and never split by a clock boundary.
  // If Redis is down the limiter fails open: availability of the health endpoints matters more.
  app.use("/api/*", async (c, next) => {
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
  });

  // A declared oversized body is refused on every route, whether or not it reads a body;
  // handlers that do read one enforce the same limit on chunked bodies (see body.ts).
  app.use("/api/*", (c, next) => {
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > config.BODY_LIMIT_BYTES) {
      throw new BodyTooLargeError(config.BODY_LIMIT_BYTES);
    }
    return next();
  });

  const requireSession: MiddlewareHandler<Env> = async (c, next) => {
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

  // --- health -----------------------------------------------------------------------------

  app.get("/api/health", (c) => c.json({ status: "ok" }));

  const checkDatabase = () => timed(() => pool.query("SELECT 1"), 3000);
  const checkRedis = async () => {
    if (!(await redisAvailable(redis, 1000))) throw new Error("not connected");
    return timed(() => redis.ping(), 1000);
  };

  const healthRoute = (name: string, check: () => Promise<number>) => async (c: Context) => {
    try {
      const latencyMs = await check();
      metrics.dependencyUp.set({ dependency: name }, 1);
      return c.json({ status: "ok", latencyMs });
    } catch (err) {
      metrics.dependencyUp.set({ dependency: name }, 0);
      logger.warn({ reqId: c.get("requestId"), dependency: name, err }, "health check failed");
      return c.json({ status: "error", message: `${name} is unavailable` }, 503);
    }
  };
  app.get("/api/health/database", healthRoute("database", checkDatabase));
  app.get("/api/health/redis", healthRoute("redis", checkRedis));

  app.get("/api/ready", async (c) => {
    const names = ["database", "redis", "signer"] as const;
    const values = await Promise.all([
      checkDatabase().then(
        () => true,
        () => false,
      ),
      checkRedis().then(
        () => true,
        () => false,
      ),
      signer.health(),
    ]);
    const results: Record<string, "ok" | "error"> = {};
    const failed: string[] = [];
    for (const [i, name] of names.entries()) {
      const ok = values[i] === true;
      metrics.dependencyUp.set({ dependency: name }, ok ? 1 : 0);
      results[name] = ok ? "ok" : "error";
      if (!ok) failed.push(name);
    }
    if (failed.length === 0) return c.json({ status: "ok", checks: results });
    return c.json(
      {
        status: "error",
        error: "not_ready",
        message: `Unavailable: ${failed.join(", ")}`,
        failed,
        checks: results,
      },
      503,
    );
  });

  app.get("/api/metrics", async (c) => {
    return c.body(await metrics.registry.metrics(), 200, {
      "content-type": metrics.registry.contentType,
    });
  });

  // --- sessions ---------------------------------------------------------------------------

  app.post("/api/sessions", async (c) => {
    await requireRedis(redis);
    return c.json(await sessions.create(), 201);
  });

  app.post("/api/sessions/refresh", async (c) => {
    const body = parseWith(refreshBody, await readJson(c, config.BODY_LIMIT_BYTES));
    await requireRedis(redis);
    const outcome = await sessions.refresh(body.refreshToken);
    if (outcome.ok) return c.json(outcome.pair, 200);
    if (outcome.reason === "reused") {
      logger.warn(
        { reqId: c.get("requestId"), sessionId: outcome.sessionId },
        "refresh token reuse detected; session revoked",
      );
      return fail(
        c,
        401,
        "refresh_token_reused",
        "This refresh token was already used, so the session has been revoked; start a new session with POST /api/sessions",
      );
    }
    return fail(
      c,
      401,
      "invalid_refresh_token",
      "The refresh token is invalid, expired or revoked; start a new session with POST /api/sessions",
    );
  });

  // --- wizard -----------------------------------------------------------------------------

  const wizardKey = (sid: string) => `${KEY_PREFIX}wiz:${sid}`;

  app.get("/api/wizard", requireSession, async (c) => {
    const raw = await redis.get(wizardKey(c.get("sessionId")));
    if (raw === null) return c.json({ progress: null });
    return c.json(JSON.parse(raw) as unknown);
  });

  app.put("/api/wizard", requireSession, async (c) => {
    const progress = parseWith(wizardBody, await readJson(c, config.BODY_LIMIT_BYTES));
    const stored = JSON.stringify({ progress, updatedAt: new Date().toISOString() });
    if (Buffer.byteLength(stored) > WIZARD_MAX_BYTES) {
      throw new HttpError(
        413,
        "payload_too_large",
        `Wizard progress must be at most ${WIZARD_MAX_BYTES} bytes`,
      );
    }
    await redis.set(wizardKey(c.get("sessionId")), stored, "EX", config.WIZARD_TTL_SECONDS);
    return c.json(JSON.parse(stored) as unknown);
  });

  // --- audits -----------------------------------------------------------------------------

  interface AuditRow {
    id: string;
    organization: string;
    answers: Record<string, number>;
    score: number;
    level: string;
    category_scores: Record<string, number>;
    recommendations: Recommendation[];
    created_at: Date;
    has_email: boolean;
  }

  const loadAudit = async (id: string, sid: string): Promise<AuditRow | null> => {
    if (!UUID.test(id)) return null;
    await deps.schemaReady();
    const { rows } = await pool.query<AuditRow>({
      // Named: parsed and planned once per connection instead of on every request.
      name: "select-audit",
      text: `SELECT id, organization, answers, score, level, category_scores, recommendations, created_at,
              email_encrypted IS NOT NULL AS has_email
         FROM audits WHERE id = $1 AND session_id = $2`,
      values: [id, sid],
    });
    return rows[0] ?? null;
  };

  const auditNotFound = (c: Context) =>
    fail(c, 404, "not_found", "No audit with this id belongs to this session");

  // AES-256 with a salted, non-iterated key derivation: DATA_KEY is a random key, not a
  // password, so iterating the KDF (pgcrypto's default) would only add ~0.3 ms per insert.
  app.post("/api/audits", requireSession, async (c) => {
    const body = parseWith(auditBody, await readJson(c, config.BODY_LIMIT_BYTES));
    const result = scoreAudit(body.answers);
    // Store answers in questionnaire order so equal answers produce equal rows.
    const answers = Object.fromEntries(QUESTION_IDS.map((id) => [id, body.answers[id]]));
    await deps.schemaReady();
    const { rows } = await pool.query<{ id: string }>({
      name: "insert-audit",
      text: `INSERT INTO audits (session_id, organization, email_encrypted, answers, score, level,
                           category_scores, recommendations, questionnaire_version)
       VALUES ($1, $2, pgp_sym_encrypt($3::text, $4::text, 'cipher-algo=aes256, s2k-mode=1'), $5::jsonb, $6, $7, $8::jsonb, $9::jsonb, $10)
       RETURNING id`,
      values: [
        c.get("sessionId"),
        body.organization,
        body.email ?? null,
        config.DATA_KEY,
        JSON.stringify(answers),
        result.score,
        result.level,
        JSON.stringify(result.categoryScores),
        JSON.stringify(result.recommendations),
        QUESTIONNAIRE_VERSION,
      ],
    });
    return c.json(
      {
        id: rows[0]!.id,
        score: result.score,
        level: result.level,
        recommendations: result.recommendations,
        categoryScores: result.categoryScores,
      },
      201,
    );
  });

  app.get("/api/audits/:id", requireSession, async (c) => {
    const row = await loadAudit(c.req.param("id"), c.get("sessionId"));
    if (!row) return auditNotFound(c);
    return c.json({
      id: row.id,
      organization: row.organization,
      score: row.score,
      level: row.level,
      categoryScores: row.category_scores,
      recommendations: row.recommendations,
      answers: row.answers,
      hasEmail: row.has_email,
      createdAt: row.created_at.toISOString(),
    });
  });

  app.post("/api/audits/:id/report", requireSession, async (c) => {
    const sid = c.get("sessionId");
    const row = await loadAudit(c.req.param("id"), sid);
    if (!row) return auditNotFound(c);
    const limit = await hitLimit(
      redis,
      `${KEY_PREFIX}rl:report:${sid}`,
      config.REPORT_LIMIT_PER_HOUR,
      3_600_000,
    );
    if (!limit.allowed) {
      return fail(
        c,
        429,
        "rate_limited",
        `At most ${config.REPORT_LIMIT_PER_HOUR} reports an hour per session; retry in ${limit.retryAfter} s`,
        { "Retry-After": String(limit.retryAfter) },
      );
    }
    const pdf = await renderReport({
      id: row.id,
      organization: row.organization,
      score: row.score,
      level: row.level,
      categoryScores: row.category_scores,
      recommendations: row.recommendations,
      createdAt: row.created_at,
    });
    const upload = await signer.signUpload({
      contentType: "application/pdf",
      contentLength: pdf.byteLength,
      key: `reports/${row.id}/${randomUUID()}.pdf`,
    });
    await signer.put(upload, "application/pdf", new Uint8Array(pdf));
    const download = await signer.signDownload(upload.key);
    await pool.query(
      "INSERT INTO audit_reports (audit_id, object_key, size_bytes) VALUES ($1, $2, $3)",
      [row.id, upload.key, pdf.byteLength],
    );
    return c.json(
      { key: download.key, downloadUrl: download.url, expiresAt: download.expiresAt },
      201,
    );
  });

  // --- the wizard page --------------------------------------------------------------------

  app.get("/", (c) => {
    c.header("content-security-policy", page.csp);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    return c.html(page.html);
  });

  return app;
}
