import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beforeSend, parseDsn, parseStack } from "../src/telemetry/sentry";
import { Client, answers, startApp, type TestApp } from "./harness/app";
import { startReceiver, type Receiver } from "./harness/receiver";

let receiver: Receiver;
let app: TestApp;
beforeAll(async () => {
  receiver = await startReceiver();
  app = await startApp({
    SENTRY_DSN: `${receiver.url.replace("http://", "http://publickey123@")}/42`,
    SENTRY_ENVIRONMENT: "test",
  });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

function parseEnvelope(body: string) {
  const [header, item, payload] = body.split("\n");
  return {
    header: JSON.parse(header!) as Record<string, unknown>,
    item: JSON.parse(item!) as Record<string, unknown>,
    event: JSON.parse(payload!) as Record<string, any>,
  };
}

describe("errors to Sentry", () => {
  it("an unhandled error reaches the envelope endpoint with its stack, trace and request id, and no PII", async () => {
    const email = "sentry.private.person@example.com";
    const c = new Client(app.base);
    const session = await c.startSession();
    // A fault deep in the app whose message carries what must never leave: the email, the
    // caller's bearer token and the refresh token.
    const { pool } = app.runtime.deps;
    const query = pool.query;
    (pool as { query: unknown }).query = function failingInsert(...args: unknown[]) {
      const q = args[0] as { text?: string };
      if (typeof q?.text === "string" && /^\s*INSERT INTO audits\b/.test(q.text)) {
        throw new TypeError(
          `cannot encode row for ${email} (Bearer ${c.accessToken}, refresh ${session.body.refreshToken})`,
        );
      }
      return (query as (...a: unknown[]) => unknown).apply(pool, args);
    };
    let res;
    try {
      res = await c.request("POST", "/api/audits", {
        json: { organization: "Sentry Co", email, answers: answers(2) },
        headers: { "x-request-id": "sentry-req-1", cookie: "sid=cookie-secret-value" },
      });
    } finally {
      (pool as { query: unknown }).query = query;
    }
    expect(res.status).toBe(500);

    const received = await receiver.waitFor((r) => r.path === "/api/42/envelope/");
    expect(received.method).toBe("POST");
    expect(received.headers["x-sentry-auth"]).toContain("sentry_key=publickey123");
    const { header, item, event } = parseEnvelope(received.body);
    expect(item.type).toBe("event");
    expect(header.event_id).toBe(event.event_id);
    expect(event.environment).toBe("test");
    expect(event.level).toBe("error");
    expect(event.transaction).toBe("POST /api/audits");
    expect(event.tags.request_id).toBe("sentry-req-1");
    expect(event.contexts.trace.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const line = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === "sentry-req-1" && l.msg === "unhandled error");
    expect(line?.trace_id).toBe(event.contexts.trace.trace_id);
    const exception = event.exception.values[0];
    expect(exception.type).toBe("TypeError");
    expect(exception.value).toContain("cannot encode row for [email]");
    const frames = exception.stacktrace.frames as { function?: string; filename: string }[];
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.at(-1)!.function).toContain("failingInsert");

    const body = received.body;
    for (const [name, value] of Object.entries({
      email,
      accessToken: c.accessToken!,
      refreshToken: session.body.refreshToken as string,
      cookie: "cookie-secret-value",
      organization: "Sentry Co",
      SIGNER_TOKEN: app.env.SIGNER_TOKEN!,
    })) {
      expect(body.includes(value), `${name} appears in the envelope`).toBe(false);
    }
    expect(body).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
    expect(event.request?.headers).toBeUndefined();
    expect(event.user).toBeUndefined();
  });

  it("expected refusals (4xx, 503) are not reported", async () => {
    const before = receiver.received.length;
    const c = new Client(app.base);
    await c.request("GET", "/api/wizard");
    await c.request("POST", "/api/sessions/refresh", { json: { refreshToken: "nope" } });
    await app.runtime.deps.telemetry.flush(1000);
    expect(receiver.received.length).toBe(before);
  });

  it("beforeSend removes headers, cookies, bodies, users and breadcrumbs, and scrubs strings", () => {
    const jwt =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLXRoYXQtaXMtbG9uZw";
    const event = beforeSend({
      event_id: "a".repeat(32),
      message: `login for a.b@example.com with ${jwt}`,
      user: { email: "a.b@example.com", ip_address: "203.0.113.9" },
      breadcrumbs: [{ message: "fetch https://x?token=abc" }],
      request: {
        method: "POST",
        url: "https://ara.example/api/sessions/refresh?token=abc",
        headers: { authorization: "Bearer abc", cookie: "sid=1" },
        cookies: { sid: "1" },
        data: { refreshToken: "r".repeat(43) },
      },
      extra: { Authorization: "Basic xyz", nested: { email: "c@d.io" } },
      contexts: { trace: { trace_id: "b".repeat(32), span_id: "c".repeat(16) } },
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain("a.b@example.com");
    expect(text).not.toContain("eyJhbGciOiJIUzI1NiJ9");
    expect(text).not.toContain("c2lnbmF0dXJl");
    expect(text).not.toContain("Basic xyz");
    expect(text).not.toContain("c@d.io");
    expect(text).not.toContain("token=abc");
    expect(text).not.toContain("sid=1");
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs).toBeUndefined();
    expect(event.request).toEqual({
      method: "POST",
      url: "https://ara.example/api/sessions/refresh",
    });
    expect(event.contexts).toEqual({
      trace: { trace_id: "b".repeat(32), span_id: "c".repeat(16) },
    });
  });

  it("parses DSNs and V8 stacks", () => {
    expect(parseDsn("https://key@o1.ingest.sentry.io/123")).toEqual({
      envelopeUrl: "https://o1.ingest.sentry.io/api/123/envelope/",
      publicKey: "key",
    });
    const frames = parseStack(
      "Error: x\n    at inner (/app/dist/server.js:10:5)\n    at /app/node_modules/hono/x.js:1:2\n    at async outer (node:internal/x:3:4)",
    );
    expect(frames.map((f) => [f.function, f.lineno, f.in_app])).toEqual([
      ["async outer", 3, false],
      [undefined, 1, false],
      ["inner", 10, true],
    ]);
  });
});
