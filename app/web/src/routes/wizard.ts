import type { Hono } from "hono";
import { z } from "zod";
import type { RouteDeps } from "../deps";
import { HttpError, parseWith, readJson, UUID, type AppEnv } from "../http";
import { partialAnswersSchema } from "../questionnaire";
import { KEY_PREFIX } from "../sessions";
import { text } from "../text";

const WIZARD_MAX_BYTES = 8 * 1024;

const wizardBody = z.strictObject({
  step: z.number().int().min(0).max(100),
  answers: partialAnswersSchema.default({}),
  // Not required here: the page saves progress before a name is typed.
  organization: text("organization", { max: 200 }).optional(),
  completedAuditId: text("completedAuditId", { max: 36 })
    .pipe(z.string().regex(UUID, "completedAuditId must be the id POST /api/audits returned"))
    .optional(),
});

/** The session's wizard progress, kept in Redis with a TTL so an abandoned wizard expires. */
export function wizardRoutes(
  app: Hono<AppEnv>,
  { config, redis, requireSession, telemetry }: RouteDeps,
) {
  const wizardKey = (sid: string) => `${KEY_PREFIX}wiz:${sid}`;

  app.get("/api/wizard", requireSession, async (c) => {
    const raw = await redis.get(wizardKey(c.get("sessionId")));
    telemetry.cacheRequests.add(1, { cache: "wizard", result: raw === null ? "miss" : "hit" });
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
    // GET returns what was there: a completion counts once, when the audit id first arrives.
    const previous = await redis.set(
      wizardKey(c.get("sessionId")),
      stored,
      "EX",
      config.WIZARD_TTL_SECONDS,
      "GET",
    );
    const before = previous
      ? (JSON.parse(previous) as { progress?: { completedAuditId?: string } }).progress
      : undefined;
    if (progress.completedAuditId && before?.completedAuditId !== progress.completedAuditId) {
      telemetry.wizardCompletions.add(1);
    }
    return c.json(JSON.parse(stored) as unknown);
  });
}
