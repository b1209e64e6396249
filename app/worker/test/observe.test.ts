import { build } from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import contract from "../contract.json";
import { errorEvent, scrubText } from "../src/observe";
import { ORIGIN, auth, signerBindings, signerLogs, startSigner } from "./helpers/signer";

const APP = fileURLToPath(new URL("../src/app.ts", import.meta.url));

// A loopback stand-in for Sentry's envelope endpoint that records what it is sent.
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const sentry = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString("utf8")));
  req.on("end", () => {
    received.push({ path: req.url ?? "", headers: req.headers, body });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
let sentryUrl = "";
beforeAll(async () => {
  await new Promise<void>((r) => sentry.listen(0, "127.0.0.1", () => r()));
  sentryUrl = `http://127.0.0.1:${(sentry.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => sentry.close(() => r())));

let mf: Miniflare | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
  signerLogs.clear();
  received.length = 0;
});

async function waitForEnvelope(timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (received.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return received[0];
}

// The real app (src/app.ts) with one route that fails the way a bug would, its message full of
// what must not leave: an email, a bearer token and a signed URL's query.
const SECRET_EMAIL = "worker.private.person@example.com";
const SECRET_TOKEN = "tok_0123456789abcdef0123456789abcdef0123";
async function failingSigner(options: Partial<MiniflareOptions> = {}): Promise<Miniflare> {
  const out = await build({
    stdin: {
      contents: `
        import { app } from ${JSON.stringify(APP)};
        app.get("/r2/test/fail", () => {
          throw new TypeError(${JSON.stringify(
            `cannot sign for ${SECRET_EMAIL} with Bearer ${SECRET_TOKEN} at https://r2.example.test/r2/object/a?sig=abcdef`,
          )});
        });
        export default { fetch: (req, env, ctx) => app.fetch(req, env, ctx) };
      `,
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    write: false,
  });
  return new Miniflare({
    handleStructuredLogs: signerLogs.handleStructuredLogs,
    modules: true,
    script: out.outputFiles[0]!.text,
    compatibilityDate: contract.compatibilityDate,
    r2Buckets: [contract.bindings.bucket],
    bindings: signerBindings(),
    ...options,
  } as MiniflareOptions);
}

describe("following a request from the web app", () => {
  it("logs the caller's request id and W3C trace, and echoes the request id", async () => {
    mf = startSigner();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/health`, {
      headers: { traceparent, "x-request-id": "follow-me-1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("follow-me-1");
    await signerLogs.expectLogged({
      level: "info",
      msg: "request",
      request_id: "follow-me-1",
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      parent_span_id: "00f067aa0ba902b7",
      traceparent,
      method: "GET",
      path: "/r2/health",
      status: 200,
    });
  });

  it("makes up a request id when none (or a bad one) is sent, and ignores a malformed traceparent", async () => {
    mf = startSigner();
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/download?key=a`, {
      headers: { ...auth, traceparent: "garbage", "x-request-id": "bad id with spaces" },
    });
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [line] = await signerLogs.expectLogged({ msg: "request", request_id: id! });
    expect(line!.trace_id).toBeUndefined();
    // A signed URL's query (its signature) never reaches the log.
    await mf.dispatchFetch(`${ORIGIN}/r2/object/reports/x.pdf?sig=abcdef&exp=1`);
    const [object] = await signerLogs.expectLogged({ msg: "request", path: "/r2/object/*" });
    expect(JSON.stringify(object)).not.toContain("abcdef");
  });
});

describe("unhandled errors", () => {
  it("are reported to Sentry's envelope endpoint with stack and trace, scrubbed, in the background", async () => {
    mf = await failingSigner({
      bindings: signerBindings({ SENTRY_DSN: `${sentryUrl.replace("//", "//pubkey9@")}/7` }),
    });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/test/fail?sig=abcdef`, {
      headers: {
        traceparent,
        "x-request-id": "boom-1",
        cookie: "sid=cookie-secret-value",
        authorization: `Bearer ${SECRET_TOKEN}`,
      },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe("internal_error");
    const envelope = await waitForEnvelope();
    expect(envelope, "no envelope reached the receiver").toBeDefined();
    expect(envelope!.path).toBe("/api/7/envelope/");
    expect(envelope!.headers["x-sentry-auth"]).toContain("sentry_key=pubkey9");
    const [, item, payload] = envelope!.body.split("\n");
    expect(JSON.parse(item!)).toEqual({ type: "event" });
    const event = JSON.parse(payload!) as Record<string, any>;
    expect(event.exception.values[0].type).toBe("TypeError");
    expect(event.exception.values[0].value).toContain("cannot sign for [email]");
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(event.tags.request_id).toBe("boom-1");
    expect(event.contexts.trace.trace_id).toBe("0af7651916cd43dd8448eb211c80319c");
    for (const secret of [SECRET_EMAIL, SECRET_TOKEN, "cookie-secret-value", "sig=abcdef"]) {
      expect(envelope!.body.includes(secret), secret).toBe(false);
    }
    expect(envelope!.body).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
    const [line] = await signerLogs.expectLogged({ level: "error", msg: "unhandled error" });
    expect(line!.request_id).toBe("boom-1");
    expect(JSON.stringify(line)).not.toContain(SECRET_EMAIL);
  });

  it("are only logged when no SENTRY_DSN is bound", async () => {
    mf = await failingSigner();
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/test/fail`);
    expect(res.status).toBe(500);
    await signerLogs.expectLogged({ level: "error", msg: "unhandled error" });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([]);
  });

  it("scrubs the event it builds", () => {
    const event = errorEvent(
      new Error(`no key for a.b@example.com, Bearer ${SECRET_TOKEN}, https://u:p@h/x?sig=1`),
      { method: "GET", path: "/r2/download" },
      { request_id: "r1" },
    );
    const text = JSON.stringify(event);
    expect(text).not.toContain("a.b@example.com");
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).not.toContain("u:p@");
    expect(text).not.toContain("sig=1");
    expect(scrubText("x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig y")).toBe(
      "x [redacted] y",
    );
  });
});
