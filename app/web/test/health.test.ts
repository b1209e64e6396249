import { afterAll, beforeAll, describe, expect, it } from "vitest";
import telemetry from "../telemetry.json";
import { Client, startApp, type TestApp } from "./harness/app";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.close());

describe("health, readiness and metrics", () => {
  it("GET /api/health answers ok from the process alone", async () => {
    const res = await new Client(app.base).request("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("GET /api/health/database and /api/health/redis report latency", async () => {
    const c = new Client(app.base);
    for (const path of ["/api/health/database", "/api/health/redis"]) {
      const res = await c.request("GET", path);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("ok");
      expect(typeof res.body.latencyMs).toBe("number");
      expect(res.body.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("GET /api/ready is 200 when database, Redis and the signer answer", async () => {
    const res = await new Client(app.base).request("GET", "/api/ready");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ok",
      checks: { database: "ok", redis: "ok", signer: "ok" },
    });
  });

  it("GET /api/ready is 503 naming the signer when the signer is down", async () => {
    const broken = await startApp({ SIGNER_URL: "http://127.0.0.1:9" });
    try {
      const res = await new Client(broken.base).request("GET", "/api/ready");
      expect(res.status).toBe(503);
      expect(res.body.failed).toEqual(["signer"]);
      expect(res.body.message).toContain("signer");
      expect(res.body.error).toBe("not_ready");
    } finally {
      await broken.close();
    }
  });

  it("GET /api/ready and /api/health/database are 503 when the database is unreachable", async () => {
    const broken = await startApp({ DATABASE_URL: "postgres://nobody:x@127.0.0.1:9/none" }).catch(
      (e: unknown) => e,
    );
    // Migrations cannot run without a database, so the test app cannot even start: check the
    // endpoint through a runtime that skips them.
    expect(broken).toBeInstanceOf(Error);
    const { createRuntime } = await import("../src/runtime");
    const { loadConfig } = await import("../src/config");
    const { testEnv } = await import("./harness/app");
    const rt = createRuntime(
      loadConfig(
        testEnv({ DATABASE_URL: "postgres://nobody:x@127.0.0.1:9/none", LOG_LEVEL: "silent" }),
      ),
      { platform: "node" },
    );
    try {
      const db = await rt.app.request("/api/health/database");
      expect(db.status).toBe(503);
      expect(await db.json()).toEqual({ status: "error", message: "database is unavailable" });
      const ready = await rt.app.request("/api/ready");
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { failed: string[] }).failed).toEqual(["database"]);
    } finally {
      await rt.close();
    }
  });

  it("echoes a valid x-request-id and makes one up otherwise", async () => {
    const c = new Client(app.base);
    const given = await c.request("GET", "/api/health", { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const bad = await c.request("GET", "/api/health", {
      headers: { "x-request-id": "no spaces\tplease" },
    });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const none = await c.request("GET", "/api/health");
    expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("unknown routes get a JSON 404", async () => {
    const res = await new Client(app.base).request("GET", "/api/nope");
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });

  it("GET /api/metrics exposes the telemetry.json series by route pattern and status class", async () => {
    const c = new Client(app.base);
    await c.startSession();
    for (const id of [
      "00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000002",
    ]) {
      expect((await c.request("GET", `/api/audits/${id}`)).status).toBe(404);
    }
    await c.request("GET", "/api/ready");
    const res = await c.request("GET", "/api/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = res.text;
    expect(text).toMatch(
      /ara_http_server_duration_seconds_count\{method="GET",route="\/api\/audits\/:id",status_class="4xx"\} 2\n/,
    );
    expect(text).toMatch(
      /ara_http_server_duration_seconds_count\{method="POST",route="\/api\/sessions",status_class="2xx"\} \d+/,
    );
    // The 500 ms and 2 s thresholds are bucket bounds, so the alerts' ratios are exact.
    for (const le of ["0.005", "0.5", "2", "+Inf"]) {
      expect(text).toContain(
        `ara_http_server_duration_seconds_bucket{method="GET",route="/api/audits/:id",status_class="4xx",le="${le}"}`,
      );
    }
    expect(text).toContain('ara_dependency_up{dependency="database"} 1');
    expect(text).toContain('ara_dependency_up{dependency="redis"} 1');
    expect(text).toContain('ara_dependency_up{dependency="signer"} 1');
    // The raw ids never become label values.
    expect(text).not.toContain("00000000-0000-4000-8000-000000000001");
  });

  it("GET /api/metrics emits every series of telemetry.json with exactly its labels", async () => {
    const c = new Client(app.base);
    await c.startSession();
    const vitals = await c.request("POST", "/api/vitals", { json: { name: "LCP", value: 1234 } });
    expect(vitals.status).toBe(204);
    const text = (await c.request("GET", "/api/metrics")).text;
    const samples = text.split("\n").filter((l) => l && !l.startsWith("#"));
    for (const inst of Object.values(telemetry.instruments)) {
      const names =
        inst.kind === "histogram"
          ? [`${inst.series}_bucket`, `${inst.series}_sum`, `${inst.series}_count`]
          : [inst.series];
      for (const name of names) {
        const own = samples.filter((l) => l.startsWith(name + "{") || l.startsWith(name + " "));
        expect(own.length, name).toBeGreaterThan(0);
        for (const line of own) {
          const labels = [...line.matchAll(/([a-z_]+)="/g)].map((m) => m[1]);
          const expected = name.endsWith("_bucket") ? [...inst.labels, "le"] : inst.labels;
          expect(labels.sort(), line).toEqual([...expected].sort());
        }
      }
    }
    expect(text).toMatch(/^# TYPE ara_process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE ara_db_pool_max gauge$/m);
  });
});
