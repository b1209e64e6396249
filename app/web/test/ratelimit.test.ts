import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "../src/local/redis-server";
import { Client, startApp, type TestApp } from "./harness/app";

describe("rate limit: 100 requests a minute per client IP on /api/*", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(); // default RATE_LIMIT_PER_MINUTE (100)
  });
  afterAll(() => app.close());

  it("allows exactly 100, then 429 with Retry-After, on every /api route", async () => {
    const c = new Client(app.base);
    for (let i = 1; i <= 100; i++) {
      const path = i % 2 ? "/api/health" : "/api/nope";
      const res = await c.request("GET", path);
      expect(res.status, `request ${i}`).not.toBe(429);
    }
    for (const [method, path] of [
      ["GET", "/api/health"],
      ["POST", "/api/sessions"],
      ["GET", "/api/ready"],
    ] as const) {
      const res = await c.request(method, path);
      expect(res.status).toBe(429);
      expect(res.body.error).toBe("rate_limited");
      const retry = Number(res.headers.get("retry-after"));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
    }
    // Another client is unaffected.
    expect((await new Client(app.base).request("GET", "/api/health")).status).toBe(200);
    // The page outside /api is not limited.
    expect((await c.request("GET", "/")).status).toBe(200);
  });

  it("counts concurrent requests exactly", async () => {
    const c = new Client(app.base);
    const results = await Promise.all(
      Array.from({ length: 120 }, () => c.request("GET", "/api/health")),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it("honours RATE_LIMIT_PER_MINUTE", async () => {
    const small = await startApp({ RATE_LIMIT_PER_MINUTE: "3" });
    try {
      const c = new Client(small.base);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await c.request("GET", "/api/health")).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await small.close();
    }
  });
});

describe("client IP", () => {
  it("without TRUST_PROXY the socket address counts and X-Forwarded-For cannot dodge the limit", async () => {
    // A Redis of its own: every test process shares the 127.0.0.1 socket address.
    const redis = await startRedisServer();
    const app = await startApp({
      TRUST_PROXY: "false",
      RATE_LIMIT_PER_MINUTE: "5",
      REDIS_URL: redis.url,
    });
    try {
      const statuses = [];
      for (let i = 0; i < 7; i++) {
        // A new spoofed address on every request.
        statuses.push(
          (await new Client(app.base, `203.0.113.${i + 1}`).request("GET", "/api/health")).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await app.close();
      await redis.dispose();
    }
  });

  it("with TRUST_PROXY the first X-Forwarded-For hop is the client", async () => {
    const app = await startApp({ TRUST_PROXY: "true", RATE_LIMIT_PER_MINUTE: "2" });
    try {
      const a = new Client(app.base, "192.0.2.10, 10.0.0.1");
      const sameClientOtherProxy = new Client(app.base, "192.0.2.10, 10.9.9.9");
      const other = new Client(app.base, "192.0.2.11, 10.0.0.1");
      expect((await a.request("GET", "/api/health")).status).toBe(200);
      expect((await sameClientOtherProxy.request("GET", "/api/health")).status).toBe(200);
      expect((await a.request("GET", "/api/health")).status).toBe(429);
      expect((await other.request("GET", "/api/health")).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
