import { randomUUID } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { RouteDeps } from "../deps";
import { fail, parseWith, readJson, UUID, type AppEnv } from "../http";
import {
  QUESTIONNAIRE_VERSION,
  QUESTION_IDS,
  answersSchema,
  scoreAudit,
  type Recommendation,
} from "../questionnaire";
import { hitLimit } from "../ratelimit";
import { renderReport } from "../report";
import { emailHmac } from "../mail-tokens";
import { KEY_PREFIX } from "../sessions";
import { text } from "../text";

const auditBody = z.strictObject({
  organization: text("organization", { min: 1, max: 200 }),
  email: text("email", { max: 254 })
    .pipe(z.email({ error: "email must be a valid email address, such as name@example.com" }))
    .optional(),
  answers: answersSchema,
});

/** An audit as the routes read it back (the email stays encrypted in the database). */
export interface AuditRow {
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

/** What the API and the PDF report show of an audit, in the app's camelCase. */
export const summary = (row: Omit<AuditRow, "answers" | "has_email">) => ({
  id: row.id,
  organization: row.organization,
  score: row.score,
  level: row.level,
  categoryScores: row.category_scores,
  recommendations: row.recommendations,
  createdAt: row.created_at,
});

/**
 * Renders an audit's PDF, stores it through the signer, records it and returns a freshly signed
 * download URL. Shared by POST /api/audits/:id/report and the emailed report link (/r/:token).
 */
export async function createReport(
  deps: Pick<RouteDeps, "pool" | "signer" | "telemetry">,
  row: Omit<AuditRow, "answers" | "has_email">,
) {
  const pdf = await renderReport(summary(row));
  const upload = await deps.signer.signUpload({
    contentType: "application/pdf",
    contentLength: pdf.byteLength,
    key: `reports/${row.id}/${randomUUID()}.pdf`,
  });
  await deps.signer.put(upload, "application/pdf", new Uint8Array(pdf));
  const download = await deps.signer.signDownload(upload.key);
  await deps.pool.query(
    "INSERT INTO audit_reports (audit_id, object_key, size_bytes) VALUES ($1, $2, $3)",
    [row.id, upload.key, pdf.byteLength],
  );
  deps.telemetry.reportsGenerated.add(1);
  return download;
}

/**
 * Readiness audits: scored and stored with the contact email encrypted by pgcrypto, readable
 * only by the session that created them, and rendered to a PDF stored through the signer.
 */
export function auditRoutes(app: Hono<AppEnv>, deps: RouteDeps) {
  const { config, pool, redis, requireSession } = deps;
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
      name: "insert-audit-v2",
      // email_hmac: the recovery lookup key (src/mail-tokens.ts), so recovery never decrypts.
      text: `INSERT INTO audits (session_id, organization, email_encrypted, answers, score, level,
                           category_scores, recommendations, questionnaire_version, email_hmac)
       VALUES ($1, $2, pgp_sym_encrypt($3::text, $4::text, 'cipher-algo=aes256, s2k-mode=1'), $5::jsonb, $6, $7, $8::jsonb, $9::jsonb, $10, $11)
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
        body.email ? emailHmac(config.DATA_KEY, body.email) : null,
      ],
    });
    deps.telemetry.auditsCreated.add(1);
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
      ...summary(row),
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
    const download = await createReport(deps, row);
    return c.json(
      { key: download.key, downloadUrl: download.url, expiresAt: download.expiresAt },
      201,
    );
  });
}
