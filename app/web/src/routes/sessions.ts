import type { Hono } from "hono";
import { z } from "zod";
import type { RouteDeps } from "../deps";
import { fail, parseWith, readJson, type AppEnv } from "../http";
import { requireRedis } from "../redis";
import { text } from "../text";

const refreshBody = z.strictObject({ refreshToken: text("refreshToken", { max: 200 }) });

/**
 * Guest sessions: a short-lived JWT access token and a rotating refresh token kept hashed in
 * Redis. Reusing a refresh token revokes the whole session (see sessions.ts).
 */
export function sessionRoutes(
  app: Hono<AppEnv>,
  { config, logger, redis, sessions, telemetry }: RouteDeps,
) {
  app.post("/api/sessions", async (c) => {
    await requireRedis(redis);
    const pair = await sessions.create();
    telemetry.sessionsCreated.add(1);
    return c.json(pair, 201);
  });

  app.post("/api/sessions/refresh", async (c) => {
    const body = parseWith(refreshBody, await readJson(c, config.BODY_LIMIT_BYTES));
    await requireRedis(redis);
    const outcome = await sessions.refresh(body.refreshToken);
    if (outcome.ok) return c.json(outcome.pair, 200);
    if (outcome.reason === "reused") {
      logger.warn(
        { sessionId: outcome.sessionId },
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
}
