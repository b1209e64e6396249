import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type LocalRedis } from "../src/local/redis-server";
import { Client, answers, startApp, type TestApp } from "./harness/app";

// An Upstash failover (or a rebuilt cache) that comes back empty: the same endpoint, no keys.
// Users lose their sessions, refresh tokens, wizard progress and rate-limit counters; their
// audits stay in PostgreSQL. What must not happen is a 5xx: old credentials get a clean 401,
// and a new session works at once. docs/disaster-recovery.md cites this test.
let redis: LocalRedis;
let app: TestApp;
beforeAll(async () => {
  redis = await startRedisServer();
  app = await startApp({ REDIS_URL: redis.url });
});
afterAll(async () => {
  await app.close();
  await redis.dispose();
});

async function emptyFailover() {
  await redis.stop();
  for (const entry of await readdir(redis.dir)) {
    await rm(path.join(redis.dir, entry), { recursive: true, force: true });
  }
  await redis.start();
}

async function until(fn: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
}

describe("Redis replaced by an empty server mid-session", () => {
  it("answers old credentials with 401, serves a new session, and never a 5xx", async () => {
    const c = new Client(app.base);
    expect((await c.startSession()).status).toBe(201);
    const progress = { step: 2, answers: { data_inventory: 3 } };
    expect((await c.request("PUT", "/api/wizard", { json: progress })).status).toBe(200);
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Failover", answers: answers(2) },
    });
    expect(audit.status).toBe(201);
    const oldRefresh = c.refreshToken!;

    await emptyFailover();
    await until(async () => (await c.request("GET", "/api/health/redis")).status === 200);

    const statuses: number[] = [];
    const wizard = await c.request("GET", "/api/wizard");
    statuses.push(wizard.status);
    expect(wizard.status).toBe(401);
    const refresh = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: oldRefresh },
      auth: false,
    });
    statuses.push(refresh.status);
    expect(refresh.status).toBe(401);
    const oldAudit = await c.request("GET", `/api/audits/${audit.body.id}`);
    statuses.push(oldAudit.status);
    expect(oldAudit.status).toBe(401);

    const fresh = new Client(app.base);
    expect((await fresh.startSession()).status).toBe(201);
    const empty = await fresh.request("GET", "/api/wizard");
    statuses.push(empty.status);
    expect(empty.status).toBe(200);
    expect((await fresh.request("PUT", "/api/wizard", { json: progress })).status).toBe(200);
    expect((await fresh.request("GET", "/api/wizard")).body.progress).toEqual(progress);
    const created = await fresh.request("POST", "/api/audits", {
      json: { organization: "After failover", answers: answers(4) },
    });
    expect(created.status).toBe(201);
    expect((await c.request("GET", "/api/ready")).status).toBe(200);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
