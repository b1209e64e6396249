import { request as httpRequest } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, answers, startApp, type TestApp } from "./harness/app";

let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  app = await startApp();
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
  return c;
}

describe("audits", () => {
  it("POST /api/audits scores, persists and returns the result; the owner can read it back", async () => {
    const c = await session();
    const res = await c.request("POST", "/api/audits", {
      json: { organization: "Acme Ltd", email: "ceo@acme.example", answers: answers(4) },
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.score).toBe(100);
    expect(res.body.level).toBe("advanced");
    expect(res.body.recommendations).toEqual([
      expect.objectContaining({ category: "overall", priority: "low" }),
    ]);

    const got = await c.request("GET", `/api/audits/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: res.body.id,
      organization: "Acme Ltd",
      score: 100,
      level: "advanced",
      hasEmail: true,
      answers: answers(4),
    });
    expect(JSON.stringify(got.body)).not.toContain("ceo@acme.example");
  });

  it("keeps the contact email encrypted at rest with pgcrypto and DATA_KEY", async () => {
    const c = await session();
    const email = "secret.person@example.org";
    const { body } = await c.request("POST", "/api/audits", {
      json: { organization: "Enc Co", email, answers: answers(1) },
    });
    const raw = await db.query("SELECT email_encrypted FROM audits WHERE id = $1", [body.id]);
    const bytes: Buffer = raw.rows[0].email_encrypted;
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.toString("latin1")).not.toContain(email);
    const decrypted = await db.query(
      "SELECT pgp_sym_decrypt(email_encrypted, $2) AS email FROM audits WHERE id = $1",
      [body.id, app.env.DATA_KEY],
    );
    expect(decrypted.rows[0].email).toBe(email);
    await expect(
      db.query("SELECT pgp_sym_decrypt(email_encrypted, 'wrong-key') FROM audits WHERE id = $1", [
        body.id,
      ]),
    ).rejects.toThrow();
  });

  it("an audit without an email stores NULL", async () => {
    const c = await session();
    const { body } = await c.request("POST", "/api/audits", {
      json: { organization: "No Mail", answers: answers(0) },
    });
    expect(body.score).toBe(0);
    expect(body.level).toBe("not_ready");
    const raw = await db.query("SELECT email_encrypted FROM audits WHERE id = $1", [body.id]);
    expect(raw.rows[0].email_encrypted).toBeNull();
  });

  it("GET /api/audits/:id is 404 for another session and for malformed ids", async () => {
    const owner = await session();
    const other = await session();
    const { body } = await owner.request("POST", "/api/audits", {
      json: { organization: "Mine", answers: answers(2) },
    });
    const stranger = await other.request("GET", `/api/audits/${body.id}`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error).toBe("not_found");
    for (const bad of ["123", "not-a-uuid", `${body.id}x`, "' OR '1'='1", "%27%20OR%201%3D1--"]) {
      const res = await owner.request("GET", `/api/audits/${encodeURI(bad)}`);
      expect(res.status, bad).toBe(404);
    }
  });

  it("stores SQL injection attempts as plain text and leaves the schema intact", async () => {
    const c = await session();
    const evil = "Robert'); DROP TABLE audits; --";
    const res = await c.request("POST", "/api/audits", {
      json: { organization: evil, answers: answers(3) },
    });
    expect(res.status).toBe(201);
    const got = await c.request("GET", `/api/audits/${res.body.id}`);
    expect(got.body.organization).toBe(evil);
    const tables = await db.query("SELECT count(*)::int AS n FROM audits");
    expect(tables.rows[0].n).toBeGreaterThan(0);
  });

  it.each([
    ["missing answers", { organization: "X" }],
    ["a missing question", { organization: "X", answers: { ...answers(2), skills: undefined } }],
    ["an answer out of range", { organization: "X", answers: { ...answers(2), skills: 9 } }],
    ["an answer as a string", { organization: "X", answers: { ...answers(2), skills: "2" } }],
    ["an unknown question", { organization: "X", answers: { ...answers(2), extra: 1 } }],
    ["an invalid email", { organization: "X", email: "not-an-email", answers: answers(2) }],
    ["an empty organization", { organization: "   ", answers: answers(2) }],
    ["an organization as an object", { organization: { $ne: null }, answers: answers(2) }],
    ["an unknown top-level field", { organization: "X", answers: answers(2), score: 100 }],
  ])("rejects %s with 400 and persists nothing", async (_name, body) => {
    const c = await session();
    // Only this session's rows: other test files insert audits into the same database.
    const sid = JSON.parse(Buffer.from(c.accessToken!.split(".")[1]!, "base64url").toString()).sub;
    const mine = async () =>
      (await db.query("SELECT count(*)::int AS n FROM audits WHERE session_id = $1", [sid])).rows[0]
        .n;
    const res = await c.request("POST", "/api/audits", { json: body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(res.body.message).toBeTypeOf("string");
    expect(res.text).not.toMatch(/\bat\b.*:\d+:\d+/);
    expect(await mine()).toBe(0);
    // The same session can still store a valid audit, so the count above can see a row.
    await c.request("POST", "/api/audits", {
      json: { organization: "Valid", answers: answers(2) },
    });
    expect(await mine()).toBe(1);
  });

  it("rejects JSON prototype-pollution payloads", async () => {
    const c = await session();
    const raw = `{"organization":"P","answers":${JSON.stringify(answers(2)).slice(0, -1)},"__proto__":{"isAdmin":true}},"constructor":{"prototype":{"polluted":1}}}`;
    const res = await c.request("POST", "/api/audits", {
      raw,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const proto = `{"organization":"P","answers":${JSON.stringify(answers(2))},"__proto__":{"x":1}}`;
    expect(
      (
        await c.request("POST", "/api/audits", {
          raw: proto,
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
  });

  it("rejects oversized bodies with 413, with or without Content-Length", async () => {
    const c = await session();
    const big = JSON.stringify({ organization: "x".repeat(70 * 1024), answers: answers(2) });
    const res = await c.request("POST", "/api/audits", {
      raw: big,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("payload_too_large");

    // Chunked transfer: no Content-Length for the limit to look at.
    const url = new URL(app.base + "/api/audits");
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "transfer-encoding": "chunked",
            authorization: `Bearer ${c.accessToken}`,
            "x-forwarded-for": c.ip,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 10; i++) req.write("x".repeat(8 * 1024));
      req.end();
    });
    expect(status).toBe(413);
  });
});

describe("PDF reports", () => {
  it("POST /api/audits/:id/report uploads a PDF through the signer and returns a download URL", async () => {
    const c = await session();
    const { body } = await c.request("POST", "/api/audits", {
      json: { organization: "Report Corp", answers: answers((_, i) => i % 5) },
    });
    const res = await c.request("POST", `/api/audits/${body.id}/report`);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["downloadUrl", "expiresAt", "key"]);
    expect(res.body.key).toContain(body.id);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
    const pdf = await fetch(res.body.downloadUrl);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const stored = await db.query(
      "SELECT object_key, size_bytes FROM audit_reports WHERE audit_id = $1",
      [body.id],
    );
    expect(stored.rows).toEqual([{ object_key: res.body.key, size_bytes: bytes.length }]);
  });

  it("is 404 for another session's audit and for malformed ids", async () => {
    const owner = await session();
    const other = await session();
    const { body } = await owner.request("POST", "/api/audits", {
      json: { organization: "O", answers: answers(2) },
    });
    expect((await other.request("POST", `/api/audits/${body.id}/report`)).status).toBe(404);
    expect((await owner.request("POST", `/api/audits/nope/report`)).status).toBe(404);
  });

  it("renders organizations outside the PDF fonts' character set", async () => {
    const c = await session();
    const { body } = await c.request("POST", "/api/audits", {
      json: { organization: "Zürich 株式会社 🚀", answers: answers(3) },
    });
    expect((await c.request("POST", `/api/audits/${body.id}/report`)).status).toBe(201);
  });

  it("allows 5 report uploads an hour per session, then 429 with Retry-After", async () => {
    const c = await session();
    const { body } = await c.request("POST", "/api/audits", {
      json: { organization: "Limit", answers: answers(2) },
    });
    for (let i = 1; i <= 5; i++) {
      expect((await c.request("POST", `/api/audits/${body.id}/report`)).status, `upload ${i}`).toBe(
        201,
      );
    }
    const sixth = await c.request("POST", `/api/audits/${body.id}/report`);
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toBe("rate_limited");
    const retry = Number(sixth.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(3500);
    expect(retry).toBeLessThanOrEqual(3600);
    // The limit is per session: a new session can upload.
    const d = await session();
    const other = await d.request("POST", "/api/audits", {
      json: { organization: "Other", answers: answers(2) },
    });
    expect((await d.request("POST", `/api/audits/${other.body.id}/report`)).status).toBe(201);
  });

  it("answers 502 with a JSON error when the signer rejects the app's token", async () => {
    const bad = await startApp({ SIGNER_TOKEN: "wrong-token-wrong-token" });
    try {
      const c = new Client(bad.base);
      await c.startSession();
      const { body } = await c.request("POST", "/api/audits", {
        json: { organization: "T", answers: answers(2) },
      });
      const res = await c.request("POST", `/api/audits/${body.id}/report`);
      expect(res.status).toBe(502);
      expect(res.body.error).toBe("signer_error");
      expect(res.body.message).toContain("401");
    } finally {
      await bad.close();
    }
  });
});
