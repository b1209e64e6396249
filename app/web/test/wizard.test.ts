import { decodeJwt } from "jose";
import { Redis } from "ioredis";
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

describe("wizard progress", () => {
  it("is empty for a new session, then holds what was PUT, with a TTL", async () => {
    const c = new Client(app.base);
    await c.startSession();
    const empty = await c.request("GET", "/api/wizard");
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ progress: null });

    const progress = {
      step: 2,
      answers: { data_inventory: 3, ai_policy: 0 },
      organization: "Acme",
    };
    const put = await c.request("PUT", "/api/wizard", { json: progress });
    expect(put.status).toBe(200);
    expect(put.body.progress).toEqual(progress);
    const got = await c.request("GET", "/api/wizard");
    expect(got.body.progress).toEqual(progress);
    expect(Date.parse(got.body.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const sid = decodeJwt(c.accessToken!).sub!;
    const ttl = await redis.ttl(`ara:wiz:${sid}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7 * 86400);
  });

  it("is private to its session", async () => {
    const a = new Client(app.base);
    const b = new Client(app.base);
    await a.startSession();
    await b.startSession();
    await a.request("PUT", "/api/wizard", { json: { step: 1, answers: { skills: 4 } } });
    expect((await b.request("GET", "/api/wizard")).body).toEqual({ progress: null });
  });

  it.each([
    ["an unknown question", { step: 1, answers: { not_a_question: 1 } }],
    ["an out-of-range answer", { step: 1, answers: { skills: 5 } }],
    ["a fractional answer", { step: 1, answers: { skills: 1.5 } }],
    ["a string answer", { step: 1, answers: { skills: "4" } }],
    ["a negative step", { step: -1 }],
    ["an unknown top-level field", { step: 1, isAdmin: true }],
    ["a missing step", { answers: {} }],
    ["an over-long organization", { step: 1, organization: "x".repeat(201) }],
  ])("rejects %s with 400 and stores nothing", async (_name, body) => {
    const c = new Client(app.base);
    await c.startSession();
    const res = await c.request("PUT", "/api/wizard", { json: body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect((await c.request("GET", "/api/wizard")).body).toEqual({ progress: null });
  });

  it("rejects a JSON array, a non-JSON body and a wrong content type", async () => {
    const c = new Client(app.base);
    await c.startSession();
    expect((await c.request("PUT", "/api/wizard", { json: [1, 2] })).status).toBe(400);
    const notJson = await c.request("PUT", "/api/wizard", {
      raw: "{step: 1",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe("invalid_json");
    const form = await c.request("PUT", "/api/wizard", {
      raw: "step=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });
});
