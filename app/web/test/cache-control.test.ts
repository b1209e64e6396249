import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, answers, startApp, type Res, type TestApp } from "./harness/app";

// Tokens, audit data and signed URLs must never be kept by a browser, proxy or CDN cache:
// every /api/* response, success or refusal, says Cache-Control: no-store.

let app: TestApp;
// A second instance with tiny limits, to reach the 429s without hundreds of requests.
let strict: TestApp;
beforeAll(async () => {
  [app, strict] = await Promise.all([
    startApp({ REPORT_LIMIT_PER_HOUR: "1" }),
    startApp({ RATE_LIMIT_PER_MINUTE: "2" }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.close(), strict?.close()]);
});

function expectNoStore(res: Res, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
}

async function session() {
  const c = new Client(app.base);
  expectNoStore(await c.startSession(), 201);
  return c;
}

async function audit(c: Client): Promise<string> {
  const res = await c.request("POST", "/api/audits", {
    json: { organization: "Acme", answers: answers() },
  });
  expectNoStore(res, 201);
  return res.body.id;
}

describe("Cache-Control: no-store on /api/*", () => {
  it("POST /api/sessions and POST /api/sessions/refresh, including refusals", async () => {
    const c = await session();
    const refreshed = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: c.refreshToken },
    });
    expectNoStore(refreshed, 200);
    expect(refreshed.body.accessToken).toBeTypeOf("string");
    expectNoStore(
      await c.request("POST", "/api/sessions/refresh", { json: { refreshToken: c.refreshToken } }),
      401,
    );
    expectNoStore(await c.request("POST", "/api/sessions/refresh", { json: {} }), 400);
  });

  it("GET and PUT /api/wizard, including refusals", async () => {
    const c = await session();
    expectNoStore(await c.request("PUT", "/api/wizard", { json: { step: 1 } }), 200);
    expectNoStore(await c.request("GET", "/api/wizard"), 200);
    expectNoStore(await c.request("PUT", "/api/wizard", { json: { step: -1 } }), 400);
    expectNoStore(await c.request("GET", "/api/wizard", { auth: false }), 401);
  });

  it("POST /api/audits and GET /api/audits/:id, including refusals", async () => {
    const c = await session();
    const id = await audit(c);
    const got = await c.request("GET", `/api/audits/${id}`);
    expectNoStore(got, 200);
    expect(got.body.organization).toBe("Acme");
    expectNoStore(await c.request("GET", `/api/audits/00000000-0000-4000-8000-000000000000`), 404);
    expectNoStore(await c.request("POST", "/api/audits", { json: { organization: "" } }), 400);
    expectNoStore(
      await c.request("POST", "/api/audits", {
        raw: "{}",
        headers: { "content-type": "text/plain" },
      }),
      415,
    );
    expectNoStore(await c.request("POST", "/api/audits", { auth: false, json: {} }), 401);
  });

  it("POST /api/audits/:id/report with its signed URL, and its 404 and 429", async () => {
    const c = await session();
    const id = await audit(c);
    const report = await c.request("POST", `/api/audits/${id}/report`);
    expectNoStore(report, 201);
    expect(report.body.downloadUrl).toMatch(/^https?:\/\//);
    expectNoStore(await c.request("POST", `/api/audits/${id}/report`), 429);
    expectNoStore(
      await c.request("POST", "/api/audits/00000000-0000-4000-8000-000000000000/report"),
      404,
    );
  });

  it.each([
    "/api/health",
    "/api/health/database",
    "/api/health/redis",
    "/api/ready",
    "/api/metrics",
  ])("GET %s", async (path) => {
    expectNoStore(await new Client(app.base).request("GET", path), 200);
  });

  it("an unknown /api path (404)", async () => {
    expectNoStore(await new Client(app.base).request("GET", "/api/nope"), 404);
  });

  it("the per-IP rate limit's 429", async () => {
    const c = new Client(strict.base);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await c.request("GET", "/api/health");
      statuses.push(res.status);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("a declared body over the limit (413), refused before the handler runs", async () => {
    const c = await session();
    // fetch will not send a Content-Length that disagrees with the body; node:http will.
    const res = await new Promise<{ status: number; cacheControl: string | undefined }>(
      (resolve, reject) => {
        const url = new URL("/api/audits", app.base);
        const req = httpRequest(
          url,
          {
            method: "POST",
            headers: {
              authorization: `Bearer ${c.accessToken}`,
              "content-type": "application/json",
              "content-length": String(10 * 1024 * 1024),
              "x-forwarded-for": c.ip,
            },
          },
          (r) => {
            r.resume();
            resolve({ status: r.statusCode!, cacheControl: r.headers["cache-control"] });
          },
        );
        req.on("error", reject);
        req.write("{");
      },
    );
    expect(res.status).toBe(413);
    expect(res.cacheControl).toBe("no-store");
  });
});
