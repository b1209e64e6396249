import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, answers } from "./harness/app";
import { runDevUntilExit, startDevServer, type DevServer } from "./harness/dev";

// `npm run dev` as a developer runs it: PGlite, redis-server from PATH and the worker under
// Miniflare, all started by the launcher.
describe("npm run dev", () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevServer({ ARA_DEV_MEMORY: "1" });
  }, 60_000);
  afterAll(() => dev?.stop());

  it("starts the real redis-server and PGlite", () => {
    expect(dev.output()).toContain("redis: local redis-server");
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

describe("npm run dev without redis-server", () => {
  it("stops at once with exit code 1 and says how to install it", async () => {
    const r = await runDevUntilExit({ PATH: "/nonexistent", ARA_DEV_MEMORY: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("redis-server was not found on PATH");
    expect(r.stderr).toContain("sudo apt-get install redis-server");
    expect(r.stderr).toContain("brew install redis");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Before PGlite or the worker: nothing was started only to be thrown away.
    expect(r.stdout).not.toContain("signer:");
    expect(r.stdout).not.toContain("postgres: PGlite");
  });
});
