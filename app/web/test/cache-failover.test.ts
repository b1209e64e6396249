import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, answers, startApp, type TestApp } from "./harness/app";
import { emptyFailover, until, withOwnRedis, type OwnRedis } from "./harness/redis-swap";

// An Upstash failover (or a rebuilt cache) that comes back empty: the same endpoint, no keys.
// Users lose their sessions, refresh tokens, wizard progress and rate-limit counters; their
// audits stay in PostgreSQL. What must not happen is a 5xx: old credentials get a clean 401,
// and a new session works at once. docs/disaster-recovery.md cites this test; `npm run drill --
// cache` times the same swap against the built app.
let own: OwnRedis<TestApp>;
let app: TestApp;
beforeAll(async () => {
  own = await withOwnRedis((url) => startApp({ REDIS_URL: url }));
  app = own.app;
});
afterAll(() => own?.close());

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

    await emptyFailover(own.redis);
    await until(
      "GET /api/health/redis answers 200",
      async () => (await c.request("GET", "/api/health/redis")).status === 200,
    );

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
