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
export function wizardRoutes(app: Hono<AppEnv>, { config, redis, requireSession }: RouteDeps) {
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
}
