import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRedis } from "../src/dev-redis";
import { hitLimit } from "../src/ratelimit";
import { Client, answers } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev";

// `npm run dev` on a machine without redis-server: PGlite, the worker under Miniflare and the
// in-process Redis fallback. (The browser test runs the launcher with a real redis-server.)
describe("npm run dev without redis-server", () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevServer({ PATH: "/nonexistent", ARA_DEV_MEMORY: "1" });
  }, 60_000);
  afterAll(() => dev?.stop());

  it("says loudly that the Redis fallback is in use", () => {
    expect(dev.output()).toContain("IN-PROCESS DEVELOPMENT FALLBACK");
    expect(dev.output()).toContain("postgres: PGlite");
  });

  it("completes an audit with a PDF report and refresh-token rotation", async () => {
    const c = new Client(dev.base);
    expect((await c.request("GET", "/api/ready")).status).toBe(200);
    const first = await c.startSession();
    const progress = { step: 1, answers: { skills: 3 } };
    expect((await c.request("PUT", "/api/wizard", { json: progress })).body.progress).toEqual(
      progress,
    );
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Dev Shop", email: "dev@shop.example", answers: answers(2) },
    });
    expect(audit.status).toBe(201);
    expect((await c.request("GET", `/api/audits/${audit.body.id}`)).body.hasEmail).toBe(true);
    const report = await c.request("POST", `/api/audits/${audit.body.id}/report`);
    expect(report.status).toBe(201);
    const pdf = await fetch(report.body.downloadUrl);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    const rotated = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const reuse = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(reuse.body.error).toBe("refresh_token_reused");
    const newest = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: rotated.body.refreshToken },
    });
    expect(newest.status).toBe(401);
  });
});

describe("the in-process Redis fallback", () => {
  it("implements the commands the app relies on with Redis semantics", async () => {
    const server = await startDevRedis();
    const redis = new Redis(server.url, { protocol: 2, disableClientInfo: true });
    try {
      expect(await redis.ping()).toBe("PONG");
      const limits = [];
      for (let i = 0; i < 4; i++) limits.push(await hitLimit(redis, "rl", 3, 60_000));
      expect(limits.map((l) => l.allowed)).toEqual([true, true, true, false]);
      expect(limits[3]!.retryAfter).toBeGreaterThan(55);
      expect(await redis.set("k", "v1", "EX", 100, "NX")).toBe("OK");
      expect(await redis.set("k", "v2", "EX", 100, "NX")).toBeNull();
      expect(await redis.set("k", "v3", "EX", 100, "XX", "GET")).toBe("v1");
      expect(await redis.set("missing", "x", "EX", 100, "XX", "GET")).toBeNull();
      expect(await redis.exists("k", "missing")).toBe(1);
      expect(await redis.ttl("k")).toBeGreaterThan(98);
      await redis.set("short", "x", "PX", 30);
      await new Promise((r) => setTimeout(r, 60));
      expect(await redis.get("short")).toBeNull();
      expect(await redis.del("k")).toBe(1);
      await expect(redis.call("HSET", "h", "f", "v")).rejects.toThrow(/install redis-server/);
    } finally {
      redis.disconnect();
      await server.close();
    }
  });
});
