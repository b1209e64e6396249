import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startApp, type TestApp } from "./harness/app";

let app: TestApp;
let redis: Redis;
beforeAll(async () => {
  app = await startApp();
  redis = new Redis(app.env.REDIS_URL!);
});
afterAll(async () => {
  redis.disconnect();
  await app.close();
});

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const key = () => new TextEncoder().encode(app.env.JWT_SECRET);

describe("guest sessions", () => {
  it("POST /api/sessions returns a short-lived HS256 access token and a random refresh token", async () => {
    const c = new Client(app.base);
    const res = await c.startSession();
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["accessToken", "expiresIn", "refreshToken"]);
    expect(res.body.expiresIn).toBe(900);
    expect(decodeProtectedHeader(res.body.accessToken).alg).toBe("HS256");
    const claims = decodeJwt(res.body.accessToken);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(res.body.refreshToken, "base64url")).toHaveLength(32);
  });

  it("stores only the SHA-256 hash of the refresh token, with a TTL", async () => {
    const c = new Client(app.base);
    const { body } = await c.startSession();
    const hashed = `ara:rt:${sha256(body.refreshToken)}`;
    expect(await redis.get(hashed)).toMatch(/^active:/);
    const ttl = await redis.ttl(hashed);
    expect(ttl).toBeGreaterThan(7 * 86400 - 10);
    expect(ttl).toBeLessThanOrEqual(7 * 86400);
    // The raw token is nowhere in Redis, neither as a key nor as a value.
    const keys = await redis.keys("ara:*");
    expect(keys.some((k) => k.includes(body.refreshToken))).toBe(false);
    const values = await Promise.all(
      keys.filter((k) => k.startsWith("ara:rt:")).map((k) => redis.get(k)),
    );
    expect(values.some((v) => v?.includes(body.refreshToken))).toBe(false);
  });

  it("refresh rotates the pair and revokes the old refresh token", async () => {
    const c = new Client(app.base);
    const first = (await c.startSession()).body;
    const res = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.refreshToken },
    });
    expect(res.status).toBe(200);
    expect(res.body.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(res.body.accessToken).sub).toBe(decodeJwt(first.accessToken).sub);
    // The new access token works.
    c.accessToken = res.body.accessToken;
    expect((await c.request("GET", "/api/wizard")).status).toBe(200);
  });

  it("reusing a revoked refresh token is 401 and revokes the whole session family", async () => {
    const c = new Client(app.base);
    const first = (await c.startSession()).body;
    const second = (
      await c.request("POST", "/api/sessions/refresh", {
        json: { refreshToken: first.refreshToken },
      })
    ).body;
    const third = (
      await c.request("POST", "/api/sessions/refresh", {
        json: { refreshToken: second.refreshToken },
      })
    ).body;
    expect(third.refreshToken).toBeTypeOf("string");

    const reuse = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe("refresh_token_reused");

    // The newest refresh token of the family is now dead too...
    const newest = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: third.refreshToken },
    });
    expect(newest.status).toBe(401);
    // ...and so are the family's access tokens.
    c.accessToken = third.accessToken;
    const wizard = await c.request("GET", "/api/wizard");
    expect(wizard.status).toBe(401);
    expect(wizard.body.error).toBe("session_revoked");
  });

  it("two concurrent refreshes with one token: exactly one wins, the other is treated as reuse", async () => {
    const c = new Client(app.base);
    const first = (await c.startSession()).body;
    const results = await Promise.all(
      [1, 2].map(() =>
        c.request("POST", "/api/sessions/refresh", { json: { refreshToken: first.refreshToken } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("rejects unknown, malformed and missing refresh tokens", async () => {
    const c = new Client(app.base);
    const unknown = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: Buffer.alloc(32, 7).toString("base64url") },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe("invalid_refresh_token");
    const malformed = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: "x' OR '1'='1" },
    });
    expect(malformed.status).toBe(401);
    const missing = await c.request("POST", "/api/sessions/refresh", { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
    const wrongType = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: 42 },
    });
    expect(wrongType.status).toBe(400);
  });
});

describe("authentication failures on protected endpoints", () => {
  const protectedCalls: Array<[string, string]> = [
    ["GET", "/api/wizard"],
    ["PUT", "/api/wizard"],
    ["POST", "/api/audits"],
    ["GET", "/api/audits/00000000-0000-4000-8000-000000000000"],
    ["POST", "/api/audits/00000000-0000-4000-8000-000000000000/report"],
  ];

  async function expect401(token: string | undefined, error: string, header?: string) {
    const c = new Client(app.base);
    for (const [method, path] of protectedCalls) {
      const res = await c.request(method, path, {
        json: method === "GET" ? undefined : {},
        headers:
          header !== undefined
            ? { authorization: header }
            : token
              ? { authorization: `Bearer ${token}` }
              : {},
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error, `${method} ${path}`).toBe(error);
      expect(res.body.message).toBeTypeOf("string");
    }
  }

  it("no Authorization header", () => expect401(undefined, "unauthorized"));
  it("a non-Bearer scheme", () => expect401(undefined, "unauthorized", "Basic dXNlcjpwYXNz"));
  it("garbage instead of a JWT", () => expect401("not-a-jwt", "invalid_token"));

  it("a token signed with another secret", async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("00000000-0000-4000-8000-000000000000")
      .setIssuer("ara-web")
      .setAudience("ara-web")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
    await expect401(forged, "invalid_token");
  });

  it("an expired token", async () => {
    const c = new Client(app.base);
    const sub = decodeJwt((await c.startSession()).body.accessToken).sub!;
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuer("ara-web")
      .setAudience("ara-web")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key());
    await expect401(expired, "invalid_token");
  });

  it('an unsigned ("alg": "none") token', async () => {
    const c = new Client(app.base);
    const sub = decodeJwt((await c.startSession()).body.accessToken).sub!;
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub, iss: "ara-web", aud: "ara-web", exp: 9999999999 })}.`;
    await expect401(none, "invalid_token");
  });

  it("a valid token for a session that no longer exists", async () => {
    const c = new Client(app.base);
    const { accessToken } = (await c.startSession()).body;
    await redis.del(`ara:sess:${decodeJwt(accessToken).sub}`);
    await expect401(accessToken, "session_revoked");
  });
});
