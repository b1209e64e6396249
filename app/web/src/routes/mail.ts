import { randomBytes } from "node:crypto";
import { waitUntil } from "@vercel/functions";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { RouteDeps } from "../deps";
import { fail, parseWith, readJson, UUID, type AppEnv } from "../http";
import { recoveryMail, reportMail } from "../mail";
import { emailHmac, signReportLink, verifyReportLink } from "../mail-tokens";
import { hitLimit } from "../ratelimit";
import { requireRedis } from "../redis";
import { hashToken, KEY_PREFIX } from "../sessions";
import { text } from "../text";
import { createReport } from "./audits";

/** How long a recovery link works, and the wait a client is told after a mail failure. */
export const RECOVERY_TTL_SECONDS = 15 * 60;
const MAIL_RETRY_AFTER_SECONDS = 60;
const LINK_CLICKS_PER_HOUR = 30;

const recoverBody = z.strictObject({
  email: text("email", { max: 254 }).pipe(
    z.email({ error: "email must be a valid email address, such as name@example.com" }),
  ),
});
const confirmBody = z.strictObject({ token: text("token", { max: 200 }) });
const RECOVERY_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const recoveryKey = (token: string) => `${KEY_PREFIX}recover:${hashToken(token)}`;

/**
 * Email: the report link by mail, and recovering a guest session's audits on another device
 * through a one-time link sent to the audits' contact email. Addresses are decrypted only to
 * send, looked up only by their HMAC, and never logged.
 */
export function mailRoutes(app: Hono<AppEnv>, deps: RouteDeps) {
  const { config, logger, mailer, pool, redis, requireSession, sessions, telemetry } = deps;

  const mailUnavailable = (c: Context, why: string) =>
    fail(
      c,
      503,
      "email_unavailable",
      `${why}; nothing was changed, retry in ${MAIL_RETRY_AFTER_SECONDS} s or use "Create PDF report" instead`,
      { "Retry-After": String(MAIL_RETRY_AFTER_SECONDS) },
    );

  app.post("/api/audits/:id/email", requireSession, async (c) => {
    const id = c.req.param("id");
    const sid = c.get("sessionId");
    if (!UUID.test(id))
      return fail(c, 404, "not_found", "No audit with this id belongs to this session");
    await deps.schemaReady();
    const { rows } = await pool.query<{ has_email: boolean }>(
      "SELECT email_encrypted IS NOT NULL AS has_email FROM audits WHERE id = $1 AND session_id = $2",
      [id, sid],
    );
    if (!rows[0]) return fail(c, 404, "not_found", "No audit with this id belongs to this session");
    if (!rows[0].has_email) {
      return fail(
        c,
        409,
        "no_email",
        "This audit was submitted without a contact email; use “Create PDF report” to download it",
      );
    }
    if (!mailer.enabled || !config.APP_URL) {
      telemetry.emailFailures.add(1, { kind: "report" });
      return mailUnavailable(c, "Email is not configured for this deployment");
    }
    const limitKey = `${KEY_PREFIX}rl:mail:${id}`;
    const limit = await hitLimit(redis, limitKey, config.REPORT_EMAIL_LIMIT_PER_HOUR, 3_600_000);
    if (!limit.allowed) {
      return fail(
        c,
        429,
        "rate_limited",
        `At most ${config.REPORT_EMAIL_LIMIT_PER_HOUR} report emails an hour per audit; retry in ${limit.retryAfter} s`,
        { "Retry-After": String(limit.retryAfter) },
      );
    }
    // Decrypted here, at send time, and held only for this request.
    const { rows: mailRows } = await pool.query<{ email: string; organization: string }>(
      "SELECT pgp_sym_decrypt(email_encrypted, $2::text) AS email, organization FROM audits WHERE id = $1",
      [id, config.DATA_KEY],
    );
    const link = `${config.APP_URL}/r/${signReportLink(config.JWT_SECRET, id, config.REPORT_LINK_TTL_DAYS * 86_400)}`;
    try {
      await mailer.send(
        reportMail(
          mailRows[0]!.email,
          mailRows[0]!.organization,
          link,
          config.REPORT_LINK_TTL_DAYS,
        ),
      );
    } catch (err) {
      // Nothing is lost: the audit is untouched and the attempt is given back to the limit.
      await redis.decr(limitKey).catch(() => undefined);
      telemetry.emailFailures.add(1, { kind: "report" });
      logger.warn({ auditId: id, err }, "report email not sent: mail service unavailable");
      return mailUnavailable(c, "The mail service is unavailable");
    }
    telemetry.emailsSent.add(1, { kind: "report" });
    return c.json({ status: "sent" }, 202);
  });

  // The emailed report link: long-lived, it names the audit, and every click signs a fresh
  // download URL (the signer's URLs expire within minutes, a mail is read days later).
  app.get("/r/:token", async (c) => {
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    const auditId = verifyReportLink(config.JWT_SECRET, c.req.param("token"));
    if (!auditId || !UUID.test(auditId)) {
      return fail(
        c,
        404,
        "link_invalid",
        "This report link is invalid or has expired; open the app and choose “Email me the report” for a new one",
      );
    }
    await requireRedis(redis);
    const limit = await hitLimit(
      redis,
      `${KEY_PREFIX}rl:link:${auditId}`,
      LINK_CLICKS_PER_HOUR,
      3_600_000,
    );
    if (!limit.allowed) {
      return fail(
        c,
        429,
        "rate_limited",
        `This link was opened too often; retry in ${limit.retryAfter} s`,
        {
          "Retry-After": String(limit.retryAfter),
        },
      );
    }
    await deps.schemaReady();
    const { rows } = await pool.query<{
      id: string;
      organization: string;
      score: number;
      level: string;
      category_scores: Record<string, number>;
      recommendations: never[];
      created_at: Date;
      object_key: string | null;
    }>(
      // The newest stored PDF that the bucket's lifecycle has not expired yet (a day's margin);
      // without one, a new PDF is rendered.
      `SELECT a.id, a.organization, a.score, a.level, a.category_scores, a.recommendations, a.created_at,
              (SELECT r.object_key FROM audit_reports r WHERE r.audit_id = a.id
                  AND r.created_at > now() - make_interval(days => $2) ORDER BY r.created_at DESC LIMIT 1) AS object_key
         FROM audits a WHERE a.id = $1`,
      [auditId, Math.max(0, config.REPORT_RETENTION_DAYS - 1)],
    );
    const row = rows[0];
    if (!row) return fail(c, 404, "link_invalid", "This audit no longer exists");
    const download = row.object_key
      ? await deps.signer.signDownload(row.object_key)
      : await createReport(deps, row);
    return c.redirect(download.url, 302);
  });

  app.post("/api/sessions/recover", async (c) => {
    const body = parseWith(recoverBody, await readJson(c, config.BODY_LIMIT_BYTES));
    await requireRedis(redis);
    const ipLimit = await hitLimit(
      redis,
      `${KEY_PREFIX}rl:recover-ip:${deps.clientIp(c)}`,
      config.RECOVERY_LIMIT_PER_IP_PER_HOUR,
      3_600_000,
    );
    const hmac = emailHmac(config.DATA_KEY, body.email);
    // Counted for every address, known or not, so a 429 tells nothing about existence.
    const mailLimit = ipLimit.allowed
      ? await hitLimit(
          redis,
          `${KEY_PREFIX}rl:recover-mail:${hmac.toString("hex")}`,
          config.RECOVERY_LIMIT_PER_EMAIL_PER_HOUR,
          3_600_000,
        )
      : ipLimit;
    if (!ipLimit.allowed || !mailLimit.allowed) {
      const retry = Math.max(ipLimit.retryAfter, mailLimit.retryAfter);
      return fail(c, 429, "rate_limited", `Too many recovery requests; retry in ${retry} s`, {
        "Retry-After": String(retry),
      });
    }
    // The answer does not wait for the lookup or the mail: known and unknown addresses get the
    // same 202 in the same time. On Vercel waitUntil keeps the instance alive for the send.
    const work = sendRecovery(hmac, body.email).then(
      (sent) => {
        if (sent) telemetry.emailsSent.add(1, { kind: "recovery" });
      },
      (err: unknown) => {
        telemetry.emailFailures.add(1, { kind: "recovery" });
        logger.warn({ err }, "recovery email not sent");
      },
    );
    waitUntil(work);
    return c.json(
      {
        status: "accepted",
        message: `If audits were made with this address, a link valid for ${RECOVERY_TTL_SECONDS / 60} minutes is on its way`,
      },
      202,
    );
  });

  async function sendRecovery(hmac: Buffer, email: string): Promise<boolean> {
    await deps.schemaReady();
    const { rows } = await pool.query("SELECT 1 FROM audits WHERE email_hmac = $1 LIMIT 1", [hmac]);
    if (rows.length === 0) return false;
    if (!mailer.enabled || !config.APP_URL) {
      throw new Error("email is not configured (SMTP_HOST, MAIL_FROM, APP_URL)");
    }
    const token = randomBytes(32).toString("base64url");
    // Only the token's hash is stored; the value is the address's HMAC, never the address.
    await redis.set(recoveryKey(token), hmac.toString("hex"), "EX", RECOVERY_TTL_SECONDS);
    // In the fragment: browsers never send it to a server, so it is in no access log.
    await mailer.send(
      recoveryMail(email, `${config.APP_URL}/#recover=${token}`, RECOVERY_TTL_SECONDS / 60),
    );
    return true;
  }

  app.post("/api/sessions/recover/confirm", async (c) => {
    const body = parseWith(confirmBody, await readJson(c, config.BODY_LIMIT_BYTES));
    const invalid = () =>
      fail(
        c,
        401,
        "invalid_recovery_token",
        "This recovery link is invalid, expired or already used; ask for a new one with POST /api/sessions/recover",
      );
    if (!RECOVERY_TOKEN.test(body.token)) return invalid();
    await requireRedis(redis);
    // GETDEL: of two confirmations with one token exactly one finds it.
    const hex = await redis.getdel(recoveryKey(body.token));
    if (hex === null) return invalid();
    await deps.schemaReady();
    const { pair, sessionId } = await sessions.createWithId();
    // The audits move to the new session: the old device's session no longer sees them.
    const { rows } = await pool.query<{ id: string; created_at: Date }>(
      `UPDATE audits SET session_id = $1 WHERE email_hmac = $2 RETURNING id, created_at`,
      [sessionId, Buffer.from(hex, "hex")],
    );
    telemetry.sessionsCreated.add(1);
    logger.info({ sessionId, audits: rows.length }, "session recovered by email");
    // Newest first: the page opens the first one.
    rows.sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
    return c.json({ ...pair, audits: rows.map((r) => r.id) }, 201);
  });
}
