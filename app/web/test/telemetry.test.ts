import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type pg from "pg";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createLogger } from "../src/logger";
import { createRedis, type Redis } from "../src/redis";
import { flushScheduler } from "../src/telemetry/flush";
import { metricPusher } from "../src/telemetry/push";
import { instrumentPool, instrumentRedis } from "../src/telemetry/instrument";
import { Client, answers, startApp, testEnv, type TestApp } from "./harness/app";
import { otlpStrings, startReceiver, type Receiver } from "./harness/receiver";
import { startVercelFunction } from "./harness/vercel";

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
const spansOf = (body: string): OtlpSpan[] =>
  (
    JSON.parse(body) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    }
  ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
const metricNamesOf = (body: string): string[] =>
  (
    JSON.parse(body) as {
      resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[];
    }
  ).resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)));
const sessionsCreatedIn = (body: string): number => {
  const parsed = JSON.parse(body) as {
    resourceMetrics: {
      scopeMetrics: {
        metrics: { name: string; sum?: { dataPoints: { asInt?: number; asDouble?: number }[] } }[];
      }[];
    }[];
  };
  for (const r of parsed.resourceMetrics)
    for (const s of r.scopeMetrics)
      for (const m of s.metrics)
        if (m.name === "ara.sessions.created") {
          const dp = m.sum!.dataPoints[0]!;
          return Number(dp.asInt ?? dp.asDouble);
        }
  return -1;
};

const droppedFrom = (text: string, signal: string): number => {
  const m = new RegExp(`^ara_telemetry_dropped_total\\{signal="${signal}"\\} (\\d+)$`, "m").exec(
    text,
  );
  return m ? Number(m[1]) : NaN;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

const receivers: Receiver[] = [];
const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function appExportingTo(receiver: Receiver | string, overrides: Record<string, string> = {}) {
  const app = await startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: typeof receiver === "string" ? receiver : receiver.url + "/otlp",
    OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic%20MTIzNDU2OmdsY190b2tlbg==",
    // Nothing is exported on a timer during a test: only an explicit flush sends.
    OTEL_METRIC_EXPORT_INTERVAL: "86400000",
    OTEL_EXPORTER_OTLP_TIMEOUT: "500",
    // Every trace, so each test sees its own requests' spans.
    OTEL_TRACES_SAMPLER_ARG: "1",
    ...overrides,
  });
  apps.push(app);
  return app;
}

describe("OTLP export", () => {
  it("sends metrics and the request's trace (HTTP, pg, Redis, signer spans) with the configured credential", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const app = await appExportingTo(receiver);
    const c = new Client(app.base);
    await c.startSession();
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Trace Co", answers: answers(3) },
      headers: { "x-request-id": "follow-me-1" },
    });
    expect(audit.status).toBe(201);
    const report = await c.request("POST", `/api/audits/${audit.body.id}/report`);
    expect(report.status).toBe(201);
    // Exports go out on a timer (a day here) or on flush; nothing has been sent yet.
    expect(receiver.received.filter((r) => r.path === "/otlp/v1/metrics")).toEqual([]);

    await app.runtime.deps.telemetry.flush();
    const metrics = await receiver.waitFor((r) => r.path === "/otlp/v1/metrics");
    expect(metrics.headers.authorization).toBe("Basic MTIzNDU2OmdsY190b2tlbg==");
    expect(metrics.headers["content-type"]).toContain("application/json");
    const names = metricNamesOf(metrics.body);
    for (const n of [
      "ara.http.server.duration",
      "ara.sessions.created",
      "ara.audits.created",
      "ara.reports.generated",
      "ara.db.pool.connections",
      "ara.report.storage.used",
      "ara.process.cpu",
    ]) {
      expect(names).toContain(n);
    }
    expect(sessionsCreatedIn(metrics.body)).toBe(1);

    const traces = await receiver.waitFor((r) => r.path === "/otlp/v1/traces");
    expect(traces.headers.authorization).toBe("Basic MTIzNDU2OmdsY190b2tlbg==");
    const spans = receiver.received
      .filter((r) => r.path === "/otlp/v1/traces")
      .flatMap((r) => spansOf(r.body));
    const server = spans.find((s) => s.name === "POST /api/audits/:id/report")!;
    expect(server).toBeDefined();
    const children = spans.filter((s) => s.traceId === server.traceId && s !== server);
    const childNames = children.map((s) => s.name);
    expect(childNames).toEqual(
      expect.arrayContaining([
        "pg select-audit",
        "redis INCR",
        "signer POST /r2/upload",
        "signer PUT /r2/object",
        "signer GET /r2/download",
        "pg INSERT",
      ]),
    );
    for (const s of children) expect(s.parentSpanId).toBe(server.spanId);
    // The app's log line for a request names the trace that was exported.
    const line = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === "follow-me-1" && l.msg === "request");
    const auditSpan = spans.find((s) => s.name === "POST /api/audits")!;
    expect(line?.trace_id).toBe(auditSpan.traceId);
    expect(line?.span_id).toBe(auditSpan.spanId);
  });

  it("carries no email, token or Authorization value in any attribute", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const app = await appExportingTo(receiver);
    const email = "otlp.private.person@example.com";
    const c = new Client(app.base);
    const session = await c.startSession();
    await c.request("PUT", "/api/wizard", {
      json: { step: 2, answers: { skills: 1 }, organization: "Secret Org" },
    });
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Secret Org", email, answers: answers(2) },
    });
    await c.request("POST", `/api/audits/${audit.body.id}/report`);
    await c.request("POST", "/api/audits", {
      json: { organization: "Secret Org", email, answers: { bogus: 1 } },
    });
    const refreshed = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: session.body.refreshToken },
    });
    await c.request("GET", "/api/wizard", {
      headers: { authorization: `Bearer ${c.accessToken}x`, cookie: "sid=cookie-secret-value" },
    });
    await app.runtime.deps.telemetry.flush();
    await receiver.waitFor((r) => r.path === "/otlp/v1/traces");
    await receiver.waitFor((r) => r.path === "/otlp/v1/metrics");

    const strings = receiver.received.flatMap((r) => otlpStrings(r.body)).join("\n");
    const secrets = {
      email,
      accessToken: session.body.accessToken as string,
      refreshToken: session.body.refreshToken as string,
      newRefreshToken: refreshed.body.refreshToken as string,
      SIGNER_TOKEN: app.env.SIGNER_TOKEN!,
      JWT_SECRET: app.env.JWT_SECRET!,
      DATA_KEY: app.env.DATA_KEY!,
      cookie: "cookie-secret-value",
      organization: "Secret Org",
      otlpCredential: "MTIzNDU2OmdsY190b2tlbg==",
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(strings.includes(value), `${name} appears in an OTLP payload`).toBe(false);
    }
    expect(strings).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
    expect(strings).not.toMatch(/Bearer /);
  });
});

describe("trace sampling", () => {
  it("exports only sampled traces, yet every request's logs carry a trace id", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const app = await appExportingTo(receiver, { OTEL_TRACES_SAMPLER_ARG: "0" });
    const c = new Client(app.base);
    for (let i = 0; i < 5; i++) expect((await c.request("GET", "/api/health")).status).toBe(200);
    // A caller's sampled traceparent is kept whatever the ratio.
    await c.request("GET", "/api/health", {
      headers: { traceparent: "00-11111111111111111111111111111111-2222222222222222-01" },
    });
    await app.runtime.deps.telemetry.flush();
    const traces = await receiver.waitFor((r) => r.path === "/otlp/v1/traces");
    const spans = receiver.received
      .filter((r) => r.path === "/otlp/v1/traces")
      .flatMap((r) => spansOf(r.body));
    expect(spans.length).toBeGreaterThan(0);
    expect([...new Set(spans.map((s) => s.traceId))]).toEqual(["11111111111111111111111111111111"]);
    expect(traces).toBeDefined();
    const lines = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "request");
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("calls to the signer", () => {
  it("carry the request's trace (traceparent of the signer span) and its x-request-id", async () => {
    // The receiver stands in for the signer: it records the call and answers {}, which the
    // app refuses as an unexpected body (502); the headers are what matter here.
    const signer = await startReceiver();
    receivers.push(signer);
    const app = await startApp({ SIGNER_URL: signer.url });
    apps.push(app);
    const c = new Client(app.base);
    await c.startSession();
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Follow Co", answers: answers(1) },
    });
    const res = await c.request("POST", `/api/audits/${audit.body.id}/report`, {
      headers: { "x-request-id": "follow-into-worker" },
    });
    expect(res.status).toBe(502);
    const call = await signer.waitFor((r) => r.path === "/r2/upload");
    expect(call.headers["x-request-id"]).toBe("follow-into-worker");
    // Sampled or not (flag 01 or 00), the ids travel: the worker's log line names them.
    const tp = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(call.headers.traceparent));
    expect(tp).not.toBeNull();
    const line = app.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === "follow-into-worker" && l.msg === "request");
    expect(line?.trace_id).toBe(tp![1]);
    // The parent the worker logs is the app's signer span, a child of the request's span.
    expect(tp![2]).not.toBe(line?.span_id);
  });
});

describe("a collector that is wrong, refuses or hangs", () => {
  it("hanging: requests stay fast, the flush gives up at its time limit, the batches count as dropped", async () => {
    const receiver = await startReceiver("hang");
    receivers.push(receiver);
    const app = await appExportingTo(receiver);
    const c = new Client(app.base);
    await c.startSession();
    const baseline = await timed(() => c.request("GET", "/api/health"));
    // The export hangs while requests go on.
    const flush = timed(() => app.runtime.deps.telemetry.flush());
    await receiver.waitFor((r) => r.path === "/otlp/v1/metrics");
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await timed(() => c.request("GET", "/api/wizard"));
      expect(r.value.status).toBe(200);
      during.push(r.ms);
    }
    expect(Math.max(...during)).toBeLessThan(Math.max(250, baseline.ms * 5));
    const flushed = await flush;
    // OTEL_EXPORTER_OTLP_TIMEOUT is 500 ms; the flush may not wait much longer than that.
    expect(flushed.ms).toBeLessThan(1500);
    await expect
      .poll(async () => droppedFrom((await c.request("GET", "/api/metrics")).text, "metrics"), {
        timeout: 3000,
      })
      .toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => droppedFrom((await c.request("GET", "/api/metrics")).text, "traces"), {
        timeout: 3000,
      })
      .toBeGreaterThanOrEqual(1);
    const warn = app.logs.find((l) => l.includes("telemetry export failed"));
    expect(warn).toBeDefined();
    expect(warn).not.toContain("MTIzNDU2OmdsY190b2tlbg==");
  });

  it("refusing (503): requests answer, each refused batch counts as dropped", async () => {
    const receiver = await startReceiver("refuse");
    receivers.push(receiver);
    const app = await appExportingTo(receiver);
    const c = new Client(app.base);
    expect((await c.startSession()).status).toBe(201);
    const before = droppedFrom((await c.request("GET", "/api/metrics")).text, "metrics");
    expect(before).toBe(0);
    await app.runtime.deps.telemetry.flush();
    await receiver.waitFor((r) => r.path === "/otlp/v1/metrics");
    await expect
      .poll(async () => droppedFrom((await c.request("GET", "/api/metrics")).text, "metrics"), {
        timeout: 3000,
      })
      .toBeGreaterThanOrEqual(1);
    expect((await c.request("GET", "/api/health")).status).toBe(200);
  });

  it("unreachable endpoint: requests answer, the batches count as dropped", async () => {
    // A port nothing listens on: a server that is started and closed again.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const app = await appExportingTo(`http://127.0.0.1:${port}/otlp`);
    const c = new Client(app.base);
    expect((await c.startSession()).status).toBe(201);
    const flushed = await timed(() => app.runtime.deps.telemetry.flush());
    expect(flushed.ms).toBeLessThan(1500);
    await expect
      .poll(async () => droppedFrom((await c.request("GET", "/api/metrics")).text, "metrics"), {
        timeout: 3000,
      })
      .toBeGreaterThanOrEqual(1);
  });

  it("an endpoint that is not a URL stops the app at startup, naming the variable", async () => {
    const { loadConfig, ConfigError } = await import("../src/config");
    expect(() => loadConfig(testEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "grafana.net/otlp" }))).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(testEnv({ OTEL_EXPORTER_OTLP_HEADERS: "Basic abc" }))).toThrow(
      /OTEL_EXPORTER_OTLP_HEADERS must be comma-separated key=value pairs/,
    );
  });
});

describe("pg and Redis client spans", () => {
  // The app's wrappers around a stand-in pool and client, under a tracer that samples all or
  // nothing; the server span is the request's, as accessLog makes it.
  async function requestWith(sampled: boolean) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({
      sampler: new ParentBasedSampler({
        root: sampled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
      }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    }).getTracer("test");
    const pool = { query: async () => ({ rows: [{ one: 1 }] }) } as unknown as pg.Pool;
    const redis = {
      sendCommand: (command: { promise: Promise<unknown> }) => command.promise,
      pipeline: () => ({ sendCommand: () => undefined }),
    } as unknown as Redis;
    instrumentPool(pool, tracer);
    instrumentRedis(redis, tracer);
    const server = tracer.startSpan("POST /api/audits");
    const startSpan = vi.spyOn(tracer, "startSpan");
    const results = await context.with(trace.setSpan(ROOT_CONTEXT, server), async () => [
      await pool.query("SELECT 1"),
      await redis.sendCommand({ name: "get", promise: Promise.resolve("v") } as never),
    ]);
    server.end();
    return { results, childSpansStarted: startSpan.mock.calls.length, exporter, server };
  }

  it("are children of a sampled request's span, named by query verb and command", async () => {
    const { results, exporter, server } = await requestWith(true);
    expect(results).toEqual([{ rows: [{ one: 1 }] }, "v"]);
    const children = exporter.getFinishedSpans().filter((s) => s.name !== "POST /api/audits");
    expect(children.map((s) => s.name).sort()).toEqual(["pg SELECT", "redis GET"]);
    for (const s of children) {
      expect(s.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    }
  });

  it("are not made at all inside an unsampled request (nothing would read them)", async () => {
    const { results, childSpansStarted, exporter } = await requestWith(false);
    expect(results).toEqual([{ rows: [{ one: 1 }] }, "v"]);
    expect(childSpansStarted).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("join their own request's trace when auto-pipelining sends several requests' commands at once", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const exporter = new InMemorySpanExporter();
    // Every other request sampled, as 1 in 10 are in production.
    let n = 0;
    const tracer = new TracerProvider({
      sampler: new ParentBasedSampler({
        root: {
          shouldSample: () => ({
            decision:
              n++ % 2 === 0 ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED,
          }),
          toString: () => "alternate",
        },
      }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    }).getTracer("test");
    // The app's client: enableAutoPipelining, so commands issued in one tick share one write.
    const redis = createRedis(inject("redisUrl"), createLogger("silent"));
    try {
      await redis.ping();
      instrumentRedis(redis, tracer);
      const requests = Array.from({ length: 6 }, (_, i) => tracer.startSpan(`request ${i}`));
      await Promise.all(
        requests.map((r, i) =>
          context.with(trace.setSpan(ROOT_CONTEXT, r), () => redis.exists(`ara:test:pipe:${i}`)),
        ),
      );
      const sampled = requests.filter((r) => r.isRecording()).map((r) => r.spanContext().spanId);
      expect(sampled).toHaveLength(3);
      const parents = exporter
        .getFinishedSpans()
        .filter((s) => s.name === "redis EXISTS")
        .map((s) => s.parentSpanContext?.spanId);
      expect(parents.sort()).toEqual([...sampled].sort());
    } finally {
      redis.disconnect();
    }
  });
});

describe("metric pushes (the OTLP side of the one metric reader)", () => {
  function fakes() {
    const exports: (() => void)[] = [];
    const reader = {
      collect: vi.fn(async () => ({ resourceMetrics: { scopeMetrics: [{}] }, errors: [] })),
    };
    const exporter = {
      export: vi.fn((_m: unknown, done: () => void) => exports.push(done)),
      shutdown: vi.fn(async () => undefined),
      forceFlush: async () => undefined,
    };
    return { reader, exporter, finishExport: (i: number) => exports[i]!() };
  }
  const pusherOf = (f: ReturnType<typeof fakes>, timeoutMs = 1000) =>
    metricPusher(f.reader as never, f.exporter as never, 86_400_000, timeoutMs);

  it("collects anew for a push asked for while one is under way, once that one is done", async () => {
    const f = fakes();
    const pusher = pusherOf(f);
    const first = pusher.push();
    await vi.waitFor(() => expect(f.exporter.export).toHaveBeenCalledTimes(1));
    const second = pusher.push();
    await new Promise((r) => setImmediate(r));
    expect(f.reader.collect).toHaveBeenCalledTimes(1);
    f.finishExport(0);
    await first;
    await vi.waitFor(() => expect(f.exporter.export).toHaveBeenCalledTimes(2));
    expect(f.reader.collect).toHaveBeenCalledTimes(2);
    f.finishExport(1);
    await second;
  });

  it("gives up on an export that never answers after its time limit", async () => {
    const f = fakes();
    const pusher = pusherOf(f, 50);
    const start = performance.now();
    await pusher.push();
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    expect(f.exporter.export).toHaveBeenCalledTimes(1);
    // The next push is not held up by the one that hung.
    const next = pusher.push();
    await vi.waitFor(() => expect(f.exporter.export).toHaveBeenCalledTimes(2));
    f.finishExport(1);
    await next;
  });
});

describe("flushes (the Vercel function asks for one after each round of responses)", () => {
  /** A flush whose runs are counted and end only when the test says so. */
  function heldRuns() {
    const ends: (() => void)[] = [];
    const run = vi.fn(() => new Promise<void>((r) => ends.push(r)));
    return { run, endRun: (i: number) => ends[i]!() };
  }
  const settled = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it("flushes a lone request's round as soon as it ends", async () => {
    const { run, endRun } = heldRuns();
    const s = flushScheduler(run, 1000);
    const round = s.join();
    expect(run).not.toHaveBeenCalled();
    round.end();
    expect(run).toHaveBeenCalledTimes(1);
    expect(await settled(round.done)).toBe(false);
    endRun(0);
    expect(await settled(round.done)).toBe(true);
  });

  it("waits for the last request of a round, whose requests share one promise and one run", async () => {
    const { run, endRun } = heldRuns();
    const s = flushScheduler(run, 1000);
    const first = s.join();
    const second = s.join();
    expect(second).toBe(first);
    first.end();
    expect(run).not.toHaveBeenCalled();
    second.end();
    expect(run).toHaveBeenCalledTimes(1);
    // A stray second end of the same request changes nothing.
    first.end();
    endRun(0);
    expect(await settled(first.done)).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("serves a caller that arrives during a run with the next run, never the one under way", async () => {
    const { run, endRun } = heldRuns();
    const s = flushScheduler(run, 1000);
    const early = s.flush();
    // These recorded after the first run collected: only a later run carries their data.
    const round = s.join();
    const late = [s.flush(), s.flush(), round.done];
    round.end();
    expect(run).toHaveBeenCalledTimes(1);
    endRun(0);
    expect(await settled(early)).toBe(true);
    expect(await settled(Promise.all(late))).toBe(false);
    expect(run).toHaveBeenCalledTimes(2);
    endRun(1);
    expect(await settled(Promise.all(late))).toBe(true);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("closes a round to new requests after maxWaitMs, so steady load never postpones its flush", async () => {
    vi.useFakeTimers();
    try {
      const { run } = heldRuns();
      const s = flushScheduler(run, 1000);
      const a = s.join();
      await vi.advanceTimersByTimeAsync(999);
      const b = s.join();
      expect(b).toBe(a);
      await vi.advanceTimersByTimeAsync(1);
      // From here on new requests open the next round; the first one's flush waits for its own
      // requests only.
      const c = s.join();
      expect(c).not.toBe(a);
      a.end();
      expect(run).not.toHaveBeenCalled();
      b.end();
      expect(run).toHaveBeenCalledTimes(1);
      const d = s.join();
      expect(d).toBe(c);
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets a slow request hold its own round's promise, never a later round's flush", async () => {
    // setImmediate stays real: settled() waits on it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { run, endRun } = heldRuns();
      const s = flushScheduler(run, 1000);
      const slow = s.join();
      const quick = s.join();
      quick.end();
      await vi.advanceTimersByTimeAsync(1000);
      const later = s.join();
      later.end();
      // The later round flushes (carrying what the quick request recorded, too) ...
      expect(run).toHaveBeenCalledTimes(1);
      endRun(0);
      expect(await settled(later.done)).toBe(true);
      // ... while the first round's promise waits for its slow request.
      expect(await settled(quick.done)).toBe(false);
      slow.end();
      expect(run).toHaveBeenCalledTimes(2);
      endRun(1);
      expect(await settled(slow.done)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("settles its callers when a run fails, and runs again for the next caller", async () => {
    const run = vi.fn(() => Promise.reject(new Error("collector away")));
    const s = flushScheduler(run, 1000);
    await expect(s.flush()).resolves.toBeUndefined();
    const round = s.join();
    round.end();
    await expect(round.done).resolves.toBeUndefined();
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe("the Vercel function", () => {
  it("flushes a request's telemetry through waitUntil, without waiting for a periodic export, and without delaying the response", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const fn = await startVercelFunction(
      testEnv({
        LOG_LEVEL: "warn",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url + "/otlp",
        OTEL_METRIC_EXPORT_INTERVAL: "86400000",
        OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
        OTEL_TRACES_SAMPLER_ARG: "1",
      }),
      "telemetry-flush",
    );
    const { base, pending } = fn;
    try {
      const res = await fetch(base + "/api/sessions", {
        method: "POST",
        headers: { "x-forwarded-for": "2001:db8::f1" },
      });
      expect(res.status).toBe(201);
      expect(pending.length).toBe(1);
      const sent = performance.now();
      await Promise.all(pending);
      const metrics = await receiver.waitFor((r) => r.path === "/otlp/v1/metrics", 2000);
      expect(sessionsCreatedIn(metrics.body)).toBe(1);
      const traces = await receiver.waitFor((r) => r.path === "/otlp/v1/traces", 2000);
      expect(spansOf(traces.body).map((s) => s.name)).toContain("POST /api/sessions");
      // Well inside the span processor's 5 s schedule and the day-long metric interval.
      expect(metrics.at - sent).toBeLessThan(2000);

      // Concurrent requests share flushes: each waitUntil settles after a flush that began once
      // its response was sent, so every request's span and count went out, and the flushes do
      // not multiply with the requests (or get refused by the exporters' concurrency limit).
      pending.length = 0;
      const exportsBefore = receiver.received.length;
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(base + "/api/sessions", {
            method: "POST",
            headers: { "x-forwarded-for": `2001:db8::${(0x100 + i).toString(16)}` },
          }),
        ),
      );
      expect(burst.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(pending.length).toBe(20);
      await Promise.all(pending);
      const burstExports = receiver.received.slice(exportsBefore);
      const metricExports = burstExports.filter((r) => r.path === "/otlp/v1/metrics");
      const traceExports = burstExports.filter((r) => r.path === "/otlp/v1/traces");
      expect(sessionsCreatedIn(metricExports.at(-1)!.body)).toBe(21);
      const burstSpans = traceExports
        .flatMap((r) => spansOf(r.body))
        .filter((s) => s.name === "POST /api/sessions");
      expect(burstSpans).toHaveLength(20);
      expect(metricExports.length).toBeLessThanOrEqual(5);
      expect(traceExports.length).toBeLessThanOrEqual(5);

      // A hanging collector: the response is not held up, and the flush ends at its limit.
      receiver.mode = "hang";
      pending.length = 0;
      const start = performance.now();
      const slow = await fetch(base + "/api/health");
      expect(slow.status).toBe(200);
      expect(performance.now() - start).toBeLessThan(500);
      const flushStart = performance.now();
      await Promise.all(pending);
      expect(performance.now() - flushStart).toBeLessThan(2500);
    } finally {
      await fn.close();
    }
    // Loading the 7 MB function bundle alone takes 20 s or more on a busy two-core machine.
  }, 120_000);
});
