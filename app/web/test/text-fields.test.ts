import fc from "fast-check";
import { Hono } from "hono";
import { decodeJwt } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../src/http";
import { errorHandler } from "../src/middleware";
import { Client, answers, startApp, type TestApp } from "./harness/app";

// The text rule of docs/app.md ("Text fields"), restated here as the oracle the fuzzing
// checks the app against: refuse unpaired surrogates, trim, refuse control characters that
// remain, normalise to NFC, then apply the length limit.
type Verdict = { ok: true; value: string } | { ok: false; reason: string };
function textRule(raw: string, max: number): Verdict {
  if (/\p{Cs}/u.test(raw)) return { ok: false, reason: "must not contain unpaired surrogates" };
  const trimmed = raw.trim();
  if (/\p{Cc}/u.test(trimmed)) {
    return { ok: false, reason: "must not contain control characters" };
  }
  const value = trimmed.normalize("NFC");
  if (value.length > max) return { ok: false, reason: `must be at most ${max} characters` };
  return { ok: true, value };
}

// Arbitrary Unicode, weighted towards what breaks storage: C0/C1 controls (NUL above all),
// lone surrogates, whitespace the rule trims, and combining marks NFC composes.
const nasty = fc.oneof(
  fc.constantFrom("\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f", "\t", "\n", "\r"),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
  fc.constantFrom(" ", "\u00a0", "\u2028", "\ufeff", "\u3000"),
  fc.constantFrom("e\u0301", "\u0301", "A\u030a", "\u1100\u1161", "\ud83d\ude00", "\ufffd"),
);
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
);
const anyText = (maxLength: number) => fc.string({ unit, maxLength });

let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  // Hundreds of requests from one client: lift the per-IP limit for this file only.
  app = await startApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
  db = new pg.Client({ connectionString: app.env.DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.close();
});

async function session() {
  const c = new Client(app.base);
  await c.startSession();
  return { c, sid: decodeJwt(c.accessToken!).sub! };
}

async function auditCount(sid: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audits WHERE session_id = $1",
    [sid],
  );
  return rows[0]!.n;
}

function expectRefusal(res: { status: number; body: any }, field: string, reason: string) {
  expect(res.status).toBe(400);
  expect(res.body.error).toBe("invalid_request");
  expect(res.body.message).toContain(`${field} ${reason}`);
}

describe("the text rule, by example", () => {
  it("refuses a NUL byte in the audit's organization with 400 naming the field, and stores nothing", async () => {
    const { c, sid } = await session();
    const res = await c.request("POST", "/api/audits", {
      json: { organization: "nul\u0000byte", answers: answers() },
    });
    expectRefusal(res, "organization", "must not contain control characters");
    expect(await auditCount(sid)).toBe(0);
  });

  it("refuses the same value in PUT /api/wizard, so the page cannot resume with it", async () => {
    const { c } = await session();
    const res = await c.request("PUT", "/api/wizard", {
      json: { step: 1, organization: "nul\u0000byte" },
    });
    expectRefusal(res, "organization", "must not contain control characters");
    expect((await c.request("GET", "/api/wizard")).body).toEqual({ progress: null });
  });

  it.each([
    ["a C1 control", "Acme\u0085Corp", "must not contain control characters"],
    ["an inner newline", "Acme\nCorp", "must not contain control characters"],
    ["a lone high surrogate", "Acme \ud800", "must not contain unpaired surrogates"],
    ["a lone low surrogate", "\udc00Acme", "must not contain unpaired surrogates"],
  ])("refuses %s in both the wizard and the audit", async (_name, organization, reason) => {
    const { c, sid } = await session();
    const wizard = await c.request("PUT", "/api/wizard", { json: { step: 1, organization } });
    expectRefusal(wizard, "organization", reason);
    const audit = await c.request("POST", "/api/audits", {
      json: { organization, answers: answers() },
    });
    expectRefusal(audit, "organization", reason);
    expect(await auditCount(sid)).toBe(0);
  });

  it("trims surrounding whitespace and composes to NFC, identically in the wizard and the audit", async () => {
    const { c } = await session();
    const organization = "\t Cafe\u0301 \ud83d\ude00 Ltd\n";
    const expected = "Caf\u00e9 \ud83d\ude00 Ltd";
    const wizard = await c.request("PUT", "/api/wizard", { json: { step: 1, organization } });
    expect(wizard.status).toBe(200);
    expect(wizard.body.progress.organization).toBe(expected);
    const audit = await c.request("POST", "/api/audits", {
      json: { organization, answers: answers() },
    });
    expect(audit.status).toBe(201);
    const got = await c.request("GET", `/api/audits/${audit.body.id}`);
    expect(got.body.organization).toBe(expected);
  });

  it("measures the length limit after normalisation", async () => {
    const { c } = await session();
    // 200 decomposed "é" are 400 code units before NFC and 200 after.
    const organization = "e\u0301".repeat(200);
    const audit = await c.request("POST", "/api/audits", {
      json: { organization, answers: answers() },
    });
    expect(audit.status).toBe(201);
  });

  it("refuses control characters in the email, naming the field", async () => {
    const { c, sid } = await session();
    const res = await c.request("POST", "/api/audits", {
      json: { organization: "Acme", email: "ceo\u0000@acme.example", answers: answers() },
    });
    expectRefusal(res, "email", "must not contain control characters");
    expect(await auditCount(sid)).toBe(0);
  });

  it("refuses a NUL in a refresh token with 400 naming the field", async () => {
    const c = new Client(app.base);
    const res = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: "\u0000".repeat(43) },
    });
    expectRefusal(res, "refreshToken", "must not contain control characters");
  });
});

describe("the text rule, fuzzed against PostgreSQL and Redis", () => {
  it("organization: never a 5xx; what the wizard accepts the audit accepts, stored and read back identically; refusals change nothing", async () => {
    const { c, sid } = await session();
    const seen = { refused: 0, empty: 0, stored: 0 };
    // Long names too, so the 200 limit is crossed both ways.
    const long = fc.string({ unit: "grapheme", minLength: 180, maxLength: 210 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText(220), long), async (organization) => {
        const verdict = textRule(organization, 200);
        const before = await c.request("GET", "/api/wizard");
        const audits = await auditCount(sid);

        const wizard = await c.request("PUT", "/api/wizard", { json: { step: 3, organization } });
        const audit = await c.request("POST", "/api/audits", {
          json: { organization, answers: answers() },
        });
        expect(wizard.status).toBeLessThan(500);
        expect(audit.status).toBeLessThan(500);

        if (!verdict.ok) {
          expectRefusal(wizard, "organization", verdict.reason);
          expectRefusal(audit, "organization", verdict.reason);
          expect((await c.request("GET", "/api/wizard")).body).toEqual(before.body);
          expect(await auditCount(sid)).toBe(audits);
          seen.refused++;
          return;
        }
        expect(wizard.status).toBe(200);
        expect(wizard.body.progress.organization).toBe(verdict.value);
        const resumed = await c.request("GET", "/api/wizard");
        expect(resumed.body.progress.organization).toBe(verdict.value);
        if (verdict.value === "") {
          // Only the audit requires a name: the wizard saves progress before one is typed.
          expectRefusal(audit, "organization", "is required");
          expect(await auditCount(sid)).toBe(audits);
          seen.empty++;
          return;
        }
        expect(audit.status).toBe(201);
        const got = await c.request("GET", `/api/audits/${audit.body.id}`);
        expect(got.body.organization).toBe(verdict.value);
        const { rows } = await db.query<{ organization: string }>(
          "SELECT organization FROM audits WHERE id = $1",
          [audit.body.id],
        );
        expect(rows[0]!.organization).toBe(verdict.value);
        seen.stored++;
      }),
      { numRuns: 150 },
    );
    // Every branch above was exercised, not just the refusals.
    expect(seen.refused).toBeGreaterThanOrEqual(20);
    expect(seen.stored).toBeGreaterThanOrEqual(20);
    expect(seen.empty).toBeGreaterThanOrEqual(1);
  });

  it("email: never a 5xx; refusals name the field and store nothing; what is stored is the normalised value", async () => {
    const { c, sid } = await session();
    const seen = { refused: 0, stored: 0 };
    // Addresses the app's email format accepts, so that storing is exercised as well.
    const plain = fc.stringMatching(/^[a-z0-9_+-]{1,20}@[a-z0-9]{1,12}\.[a-z]{2,6}$/);
    const injected = fc
      .tuple(plain, nasty, fc.nat())
      .map(
        ([email, bad, at]) =>
          email.slice(0, at % (email.length + 1)) + bad + email.slice(at % (email.length + 1)),
      );
    const padded = fc
      .tuple(fc.constantFrom(" ", "\t", "\n", "\u3000"), plain)
      .map(([pad, email]) => pad + email + pad);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(plain, fc.emailAddress(), injected, padded, anyText(270)),
        async (email) => {
          const verdict = textRule(email, 254);
          const audits = await auditCount(sid);
          const res = await c.request("POST", "/api/audits", {
            json: { organization: "Acme", email, answers: answers() },
          });
          expect(res.status).toBeLessThan(500);
          if (!verdict.ok) expectRefusal(res, "email", verdict.reason);
          if (res.status !== 201) {
            expect(res.status).toBe(400);
            expect(res.body.message).toMatch(/^email: email /);
            expect(await auditCount(sid)).toBe(audits);
            seen.refused++;
            return;
          }
          expect(verdict.ok).toBe(true);
          const { rows } = await db.query<{ email: string }>(
            "SELECT pgp_sym_decrypt(email_encrypted, $2) AS email FROM audits WHERE id = $1",
            [res.body.id, app.env.DATA_KEY],
          );
          expect(rows[0]!.email).toBe(verdict.ok && verdict.value);
          seen.stored++;
        },
      ),
      { numRuns: 150 },
    );
    expect(seen.refused).toBeGreaterThanOrEqual(20);
    expect(seen.stored).toBeGreaterThanOrEqual(20);
  });

  it("refresh token, completed audit id and audit id in the path: never a 5xx", async () => {
    const { c } = await session();
    await fc.assert(
      fc.asyncProperty(anyText(60), fc.uint8Array({ maxLength: 40 }), async (value, bytes) => {
        const before = await c.request("GET", "/api/wizard");
        const refresh = await c.request("POST", "/api/sessions/refresh", {
          json: { refreshToken: value },
        });
        expect([400, 401]).toContain(refresh.status);
        const wizard = await c.request("PUT", "/api/wizard", {
          json: { step: 1, completedAuditId: value },
        });
        expect(wizard.status).toBe(400);
        expect(wizard.body.message).toMatch(/^completedAuditId: completedAuditId /);
        expect((await c.request("GET", "/api/wizard")).body).toEqual(before.body);
        // Raw percent-encoded bytes: invalid UTF-8 and %00 included.
        const id = [...bytes].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
        const got = await c.request("GET", `/api/audits/${id}x`);
        expect(got.status).toBe(404);
      }),
      { numRuns: 100 },
    );
  });
});

describe("database refusals of text are the client's error, not the server's", () => {
  // Defence in depth: real PostgreSQL errors, thrown through the app's error handler as a
  // route would throw them if a value slipped past validation.
  it.each([
    ["22021, a NUL byte", "SELECT $1::text", "nul\u0000byte", "22021"],
    ["22P05, no LATIN1 equivalent", "SELECT convert_to($1::text, 'LATIN1')", "\u20ac", "22P05"],
    ["22001, longer than the column", "INSERT INTO short_text (v) VALUES ($1)", "xyz", "22001"],
  ])("%s: 400 invalid_request", async (_name, sql, value, code) => {
    const { pool, telemetry, logger } = app.runtime.deps;
    const client = await pool.connect();
    let err: unknown;
    try {
      await client.query("CREATE TEMP TABLE IF NOT EXISTS short_text (v varchar(2))");
      err = await client.query(sql, [value]).then(
        () => null,
        (e: unknown) => e,
      );
    } finally {
      client.release();
    }
    expect((err as { code?: string }).code).toBe(code);
    const probe = new Hono<AppEnv>().onError(errorHandler(telemetry, logger));
    probe.get("/probe", () => {
      throw err;
    });
    const res = await probe.request("/probe");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_request");
    expect(body.message).toContain("control characters");
  });
});
