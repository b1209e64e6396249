import { createHmac, timingSafeEqual } from "node:crypto";

// Keys derived from the app's secrets with a label each, so one secret never signs two kinds of
// thing: a report link can never be replayed as anything else, and the email lookup key is not
// the pgcrypto key itself.
const derive = (secret: string, label: string) =>
  createHmac("sha256", secret).update(label).digest();

/** What two spellings of one mailbox have in common: trimmed, NFC, lowercased. */
export const normaliseEmail = (email: string) => email.trim().normalize("NFC").toLowerCase();

/**
 * HMAC-SHA256 of the normalised address, keyed from DATA_KEY: stored in audits.email_hmac on
 * insert so recovery finds audits by email with an index lookup, never by decrypting rows.
 */
export function emailHmac(dataKey: string, email: string): Buffer {
  return createHmac("sha256", derive(dataKey, "ara-email-lookup-v1"))
    .update(normaliseEmail(email))
    .digest();
}

// A report link: `<payload>.<signature>`, payload = base64url JSON {a: audit id, e: expiry in
// epoch seconds}. It names the audit, not an object: each click signs a fresh download URL.
const LINK = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/;

export function signReportLink(jwtSecret: string, auditId: string, ttlSeconds: number): string {
  const payload = Buffer.from(
    JSON.stringify({ a: auditId, e: Math.floor(Date.now() / 1000) + ttlSeconds }),
  ).toString("base64url");
  const sig = createHmac("sha256", derive(jwtSecret, "ara-report-link-v1"))
    .update(payload)
    .digest("base64url");
  return `${payload}.${sig}`;
}

/** The audit id of a valid, unexpired report link, or null. */
export function verifyReportLink(jwtSecret: string, token: string): string | null {
  const m = LINK.exec(token);
  if (!m) return null;
  const expected = createHmac("sha256", derive(jwtSecret, "ara-report-link-v1"))
    .update(m[1]!)
    .digest();
  const given = Buffer.from(m[2]!, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const { a, e } = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as {
      a?: unknown;
      e?: unknown;
    };
    if (typeof a !== "string" || typeof e !== "number") return null;
    return e > Date.now() / 1000 ? a : null;
  } catch {
    return null;
  }
}
