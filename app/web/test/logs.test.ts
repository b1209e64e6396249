import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scrub } from "../src/logger";
import { Client, answers, startApp, type TestApp } from "./harness/app";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ LOG_LEVEL: "debug" });
});
afterAll(() => app.close());

describe("structured logs", () => {
  it("carry a request id and never a secret, a token or an email", async () => {
    const email = "very.private.person@example.com";
    const c = new Client(app.base);
    const session = await c.startSession();
    await c.request("PUT", "/api/wizard", { json: { step: 1, answers: { skills: 2 } } });
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Log Co", email, answers: answers(2) },
      headers: { "x-request-id": "trace-me-123" },
    });
    expect(audit.status).toBe(201);
    // Failures log too: bad input carrying the email, a report, a refresh and its reuse.
    await c.request("POST", "/api/audits", {
      json: { organization: "Log Co", email, answers: { x: 1 } },
    });
    await c.request("POST", `/api/audits/${audit.body.id}/report`);
    const refreshed = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: session.body.refreshToken },
    });
    await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: session.body.refreshToken },
    });
    await c.request("GET", "/api/wizard", {
      headers: { authorization: `Bearer ${c.accessToken}x` },
    });

    const logs = app.logs.join("\n");
    const dbPassword = new URL(app.env.DATABASE_URL!).password;
    const secrets = {
      email,
      JWT_SECRET: app.env.JWT_SECRET!,
      DATA_KEY: app.env.DATA_KEY!,
      SIGNER_TOKEN: app.env.SIGNER_TOKEN!,
      dbPassword,
      accessToken: session.body.accessToken,
      refreshToken: session.body.refreshToken,
      newRefreshToken: refreshed.body.refreshToken,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      expect(logs.includes(value), `${name} appears in the logs`).toBe(false);
    }
    expect(logs).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);

    const lines = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const auditLine = lines.find((l) => l.request_id === "trace-me-123");
    expect(auditLine).toMatchObject({
      msg: "request",
      method: "POST",
      route: "/api/audits",
      status: 201,
    });
    expect(lines.some((l) => l.msg === "refresh token reuse detected; session revoked")).toBe(true);
    // Every line written while serving a request names the request and its trace.
    expect(auditLine!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(auditLine!.span_id).toMatch(/^[0-9a-f]{16}$/);
    const requestLines = lines.filter((l) => l.msg === "request");
    expect(requestLines.length).toBeGreaterThan(5);
    for (const l of requestLines) {
      expect(l.request_id).toBeTypeOf("string");
      expect(l.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(l.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    const reuse = lines.find((l) => l.msg === "refresh token reuse detected; session revoked");
    expect(reuse?.request_id).toBeTypeOf("string");
    expect(reuse?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("scrubs credentials and emails out of error messages", () => {
    expect(scrub("connect failed for postgres://ara:hunter2@db:5432/x")).toBe(
      "connect failed for postgres://[redacted]@db:5432/x",
    );
    expect(scrub("Authorization: Bearer abc.def.ghi rejected")).toBe(
      "Authorization: Bearer [redacted] rejected",
    );
    expect(scrub("duplicate key for someone@example.com")).toBe("duplicate key for [email]");
  });
});
