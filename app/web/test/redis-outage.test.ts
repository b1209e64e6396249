import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../src/http";
import { startRedisServer } from "../src/local/redis-server";
import { createLogger } from "../src/logger";
import { errorHandler } from "../src/middleware";
import { createRedis, isRedisUnavailable } from "../src/redis";
import { Client, answers, startApp, type TestApp } from "./harness/app";
import { until, withOwnRedis, type OwnRedis } from "./harness/redis-swap";

// A Redis of our own (with append-only persistence on its temp dir) that this test stops and
// starts again, while the app keeps running.
let own: OwnRedis<TestApp>;
let app: TestApp;
beforeAll(async () => {
  own = await withOwnRedis((url) => startApp({ REDIS_URL: url }));
  app = own.app;
});
afterAll(() => own?.close());

describe("Redis stopped in the middle of a session", () => {
  it("degrades to 503 where Redis is needed, keeps health up, and recovers with data intact", async () => {
    const c = new Client(app.base);
    await c.startSession();
    const progress = { step: 3, answers: { data_inventory: 4, skills: 1 } };
    expect((await c.request("PUT", "/api/wizard", { json: progress })).status).toBe(200);
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Outage", answers: answers(3) },
    });
    expect(audit.status).toBe(201);
    const refreshToken = c.refreshToken!;

    await own.redis.stop();

    const health = await c.request("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });
    const ready = await c.request("GET", "/api/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.failed).toEqual(["redis"]);
    expect(ready.body.checks).toEqual({ database: "ok", redis: "error", signer: "ok" });
    const redisHealth = await c.request("GET", "/api/health/redis");
    expect(redisHealth.status).toBe(503);
    expect(redisHealth.body).toEqual({ status: "error", message: "redis is unavailable" });
    expect((await c.request("GET", "/api/health/database")).status).toBe(200);

    for (const [method, path, json] of [
      ["POST", "/api/sessions", undefined],
      ["POST", "/api/sessions/refresh", { refreshToken }],
      ["GET", "/api/wizard", undefined],
      ["GET", `/api/audits/${audit.body.id}`, undefined],
    ] as const) {
      const res = await c.request(method, path, { json });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.body.error).toBe("dependency_unavailable");
    }
    const metrics = await c.request("GET", "/api/metrics");
    expect(metrics.text).toContain('ara_dependency_up{dependency="redis"} 0');

    await own.redis.start();
    await until(
      "GET /api/ready answers 200",
      async () => (await c.request("GET", "/api/ready")).status === 200,
    );

    // Everything written before the outage is still there.
    expect((await c.request("GET", "/api/wizard")).body.progress).toEqual(progress);
    expect((await c.request("GET", `/api/audits/${audit.body.id}`)).body.organization).toBe(
      "Outage",
    );
    const refreshed = await c.request("POST", "/api/sessions/refresh", { json: { refreshToken } });
    expect(refreshed.status).toBe(200);
    // And rotation state survived as well: the pre-outage token is now a reused one.
    const reuse = await c.request("POST", "/api/sessions/refresh", { json: { refreshToken } });
    expect(reuse.body.error).toBe("refresh_token_reused");
  });
});

describe("a Redis command in flight when its server goes away", () => {
  it.each(["stop", "timeout"] as const)(
    "%s: the command's error is a 503 with Retry-After, as Redis being down is, never a 500",
    async (how) => {
      const { telemetry, logger } = app.runtime.deps;
      const server = await startRedisServer();
      // The app's own client settings (commandTimeout, maxRetriesPerRequest).
      const client = createRedis(server.url, createLogger("silent"));
      try {
        await client.ping();
        // A stopped server drops the connection; a blocked command is one Redis does not
        // answer within the client's commandTimeout, as a hung server would.
        const inFlight = client.blpop("ara:test:never", 0).then(
          () => new Error("the command returned"),
          (e: unknown) => e,
        );
        if (how === "stop") await server.stop();
        const err = await inFlight;
        expect(isRedisUnavailable(err), String(err)).toBe(true);

        const probe = new Hono<AppEnv>().onError(errorHandler(telemetry, logger));
        probe.get("/probe", () => {
          throw err;
        });
        const res = await probe.request("/probe");
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("5");
        expect(await res.json()).toMatchObject({
          error: "dependency_unavailable",
          message: "redis is unavailable; retry shortly",
        });
      } finally {
        client.disconnect();
        await server.dispose();
      }
    },
  );
});
