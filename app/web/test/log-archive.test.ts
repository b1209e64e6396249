import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { workerPaths } from "../src/local/signer";
import { Writable } from "node:stream";
import { createLogger } from "../src/logger";
import {
  archivableAsWritten,
  archiveRecord,
  createLogArchive,
  MAX_ARCHIVED_STRING,
  MAX_BATCH_BYTES,
  scrubArchived,
  scrubbedRecord,
  type LogArchiveOptions,
} from "../src/telemetry/log-archive";
import { scrubText } from "../src/telemetry/sentry";
import { Client, answers, startApp, testEnv, type TestApp } from "./harness/app";
import { startVercelFunction } from "./harness/vercel";

// The app's log archive: lines buffered in the instance, sent in gzip NDJSON batches to the
// signer worker's POST /r2/logs/app. Against the real worker (dist/index.js under Miniflare,
// LOG_ARCHIVE an in-memory R2 bucket) and against a loopback receiver that accepts, refuses
// or never answers.

const INGEST_TOKEN = "test-ingest-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

type LogRecord = Record<string, unknown>;

interface ReceivedBatch {
  headers: IncomingHttpHeaders;
  gz: Buffer;
  records: LogRecord[];
  at: number;
}

interface LogReceiver {
  url: string;
  batches: ReceivedBatch[];
  mode: "accept" | "refuse" | "hang";
  close(): Promise<void>;
}

/** Records every batch POSTed to it, as raw gzip and as parsed records; answers as told. */
async function startLogReceiver(mode: LogReceiver["mode"] = "accept"): Promise<LogReceiver> {
  const sockets = new Set<Socket>();
  const state: LogReceiver = {
    url: "",
    batches: [],
    mode,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const gz = Buffer.concat(chunks);
      const records = gunzipSync(gz)
        .toString("utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogRecord);
      state.batches.push({ headers: req.headers, gz, records, at: performance.now() });
      if (state.mode === "hang") return;
      res.writeHead(state.mode === "refuse" ? 503 : 201).end();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r2/logs/app`;
  return state;
}

// The slice of Miniflare's API used here (its types live in the worker workspace).
interface WorkerUnderTest {
  ready: Promise<URL>;
  dispose(): Promise<void>;
  getR2Bucket(name: string): Promise<{
    list(): Promise<{ objects: { key: string }[] }>;
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  }>;
}

/** The real signer bundle with a log archive bucket and its ingest token. */
async function startWorker(): Promise<{ url: string; mf: WorkerUnderTest; bucket: string }> {
  const { dir, script } = workerPaths();
  const contract = (await import(pathToFileURL(path.join(dir, "contract.json")).href, {
    with: { type: "json" },
  })) as { default: Record<string, any> };
  const c = contract.default;
  const resolved = createRequire(path.join(dir, "package.json")).resolve("miniflare");
  const { Miniflare } = (await import(pathToFileURL(resolved).href)) as {
    Miniflare: new (options: Record<string, unknown>) => WorkerUnderTest;
  };
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    compatibilityDate: c.compatibilityDate,
    r2Buckets: [c.bindings.bucket, c.bindings.logArchive],
    bindings: {
      [c.bindings.signingKey]: "k".repeat(40),
      [c.bindings.signerToken]: "t".repeat(40),
      [c.bindings.logIngestToken]: INGEST_TOKEN,
    },
    host: "127.0.0.1",
    port: 0,
    // The worker's own request lines are not this test's output.
    handleStructuredLogs: () => undefined,
  });
  const url = await mf.ready;
  return { url: `${url.origin}${c.appLogsPath}`, mf, bucket: c.bindings.logArchive };
}

const droppedLogs = (text: string): number => {
  const m = /^ara_telemetry_dropped_total\{signal="logs"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

const line = (i: number, extra: LogRecord = {}) =>
  JSON.stringify({
    level: "info",
    time: new Date().toISOString(),
    request_id: `r-${i}`,
    msg: "request",
    ...extra,
  }) + "\n";

/** An archive on `url` that sends only when asked (no timer), batches due at 1 KB. */
const options = (url: string, o: Partial<LogArchiveOptions> = {}): LogArchiveOptions => ({
  url,
  token: INGEST_TOKEN,
  batchBytes: 1024,
  maxAgeMs: 60_000,
  timeoutMs: 1000,
  timer: false,
  ...o,
});

const receivers: LogReceiver[] = [];
const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(mode: LogReceiver["mode"] = "accept") {
  const r = await startLogReceiver(mode);
  receivers.push(r);
  return r;
}

async function appArchivingTo(url: string, overrides: Record<string, string> = {}) {
  const app = await startApp({
    LOG_ARCHIVE_URL: url,
    LOG_ARCHIVE_TOKEN: INGEST_TOKEN,
    OTEL_EXPORTER_OTLP_TIMEOUT: "500",
    ...overrides,
  });
  apps.push(app);
  return app;
}

describe("into the real worker's log archive", () => {
  let worker: Awaited<ReturnType<typeof startWorker>>;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker.mf.dispose();
  });

  it("stores the request's lines as one gzip NDJSON object, with their request ids and without PII", async () => {
    const app = await appArchivingTo(worker.url);
    const email = "archive.private.person@example.com";
    const c = new Client(app.base);
    const session = await c.startSession();
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Archive Co", email, answers: answers(2) },
      headers: { "x-request-id": "archive-me-1" },
    });
    expect(audit.status).toBe(201);
    await c.request("GET", "/api/wizard", {
      headers: {
        authorization: `Bearer ${c.accessToken}x`,
        cookie: "sid=cookie-secret-value",
        "x-request-id": "archive-me-2",
      },
    });
    // A line that pino's exact-path redaction lets through: the archive scrubs it at any depth.
    app.runtime.deps.logger.warn(
      {
        contact: { email, note: `write to ${email}` },
        upstream: { headers: { cookie: "sid=cookie-secret-value" } },
        hint: `Bearer ${session.body.accessToken as string}`,
      },
      "diagnostic line",
    );
    await app.runtime.logArchive!.flush();

    const bucket = await worker.mf.getR2Bucket(worker.bucket);
    const { objects } = await bucket.list();
    expect(objects.length).toBeGreaterThanOrEqual(1);
    const records: LogRecord[] = [];
    for (const o of objects) {
      expect(o.key).toMatch(/^app\/\d{4}\/\d{2}\/\d{2}\/\d{6}Z-[0-9a-f-]{36}\.ndjson\.gz$/);
      const gz = Buffer.from(await (await bucket.get(o.key))!.arrayBuffer());
      expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
      const text = gunzipSync(gz).toString("utf8");
      expect(text.endsWith("\n")).toBe(true);
      records.push(
        ...text
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l) as LogRecord),
      );
    }
    for (const r of records) {
      expect(typeof r.time).toBe("string");
      expect(typeof r.level).toBe("string");
    }
    const requestLine = records.find((r) => r.request_id === "archive-me-1" && r.msg === "request");
    expect(requestLine).toMatchObject({ method: "POST", route: "/api/audits", status: 201 });
    expect(requestLine?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(records.some((r) => r.request_id === "archive-me-2")).toBe(true);
    const diagnostic = records.find((r) => r.msg === "diagnostic line");
    expect(diagnostic).toMatchObject({
      contact: { email: "[redacted]", note: "write to [email]" },
      upstream: { headers: "[redacted]" },
    });

    const archived = records.map((r) => JSON.stringify(r)).join("\n");
    const secrets = {
      email,
      accessToken: session.body.accessToken as string,
      refreshToken: session.body.refreshToken as string,
      cookie: "cookie-secret-value",
      SIGNER_TOKEN: app.env.SIGNER_TOKEN!,
      JWT_SECRET: app.env.JWT_SECRET!,
      DATA_KEY: app.env.DATA_KEY!,
      LOG_ARCHIVE_TOKEN: INGEST_TOKEN,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(archived.includes(value), `${name} appears in the archive`).toBe(false);
    }
    expect(archived).not.toMatch(EMAIL_RE);
    expect(archived).not.toMatch(/Bearer (?!\[redacted\])/);
    expect(droppedLogs((await c.request("GET", "/api/metrics")).text)).toBe(0);
  });

  it("a wrong token is refused by the worker: nothing is stored and the batch counts as dropped", async () => {
    const bucket = await worker.mf.getR2Bucket(worker.bucket);
    const before = (await bucket.list()).objects.length;
    const app = await appArchivingTo(worker.url, {
      LOG_ARCHIVE_TOKEN: "not-the-ingest-token-0000",
    });
    const c = new Client(app.base);
    expect((await c.request("GET", "/api/health")).status).toBe(200);
    await app.runtime.logArchive!.flush();
    expect((await bucket.list()).objects.length).toBe(before);
    expect(droppedLogs((await c.request("GET", "/api/metrics")).text)).toBe(1);
    expect(app.logs.some((l) => l.includes("log archive upload failed"))).toBe(true);
    expect(app.logs.join("\n")).not.toContain("not-the-ingest-token-0000");
  });
});

describe("batching", () => {
  it("sends nothing until the buffer passes batchBytes, then one batch with every line", async () => {
    const r = await receiver();
    const archive = createLogArchive(options(r.url));
    for (let i = 0; i < 5; i++) archive.add(line(i)); // ~5 × 100 bytes
    await archive.flushIfDue();
    expect(r.batches).toHaveLength(0);
    for (let i = 5; i < 15; i++) archive.add(line(i));
    await archive.flushIfDue();
    expect(r.batches).toHaveLength(1);
    const [batch] = r.batches;
    expect(batch!.headers.authorization).toBe(`Bearer ${INGEST_TOKEN}`);
    expect(batch!.headers["content-type"]).toBe("application/gzip");
    expect(batch!.records.map((x) => x.request_id)).toEqual(
      Array.from({ length: 15 }, (_, i) => `r-${i}`),
    );
    await archive.flushIfDue();
    expect(r.batches).toHaveLength(1);
    await archive.close();
  });

  it("sends a batch once its oldest line is maxAgeMs old", async () => {
    const r = await receiver();
    const archive = createLogArchive(options(r.url, { batchBytes: 256 * 1024, maxAgeMs: 300 }));
    archive.add(line(1));
    await archive.flushIfDue();
    expect(r.batches).toHaveLength(0);
    await new Promise((res) => setTimeout(res, 350));
    archive.add(line(2));
    await archive.flushIfDue();
    expect(r.batches.map((b) => b.records.length)).toEqual([2]);
    await archive.close();
  });

  it("skips lines that are not log records, so the worker never refuses a batch for them", async () => {
    const r = await receiver();
    const archive = createLogArchive(options(r.url));
    archive.add("not json\n");
    archive.add(JSON.stringify({ msg: "no time or level" }) + "\n");
    archive.add(line(1));
    await archive.flush();
    expect(r.batches.map((b) => b.records.map((x) => x.request_id))).toEqual([["r-1"]]);
  });

  it("the Node server sends on its own timer, without anyone flushing", async () => {
    const r = await receiver();
    const app = await appArchivingTo(r.url, { LOG_ARCHIVE_MAX_AGE_SECONDS: "0" });
    const c = new Client(app.base);
    await c.request("GET", "/api/health", { headers: { "x-request-id": "on-a-timer" } });
    await expect
      .poll(() => r.batches.flatMap((b) => b.records).some((x) => x.request_id === "on-a-timer"), {
        timeout: 5000,
      })
      .toBe(true);
  });
});

describe("an endpoint that refuses, hangs or is not there", () => {
  it("hanging: requests stay fast, the upload gives up at its time limit and counts as dropped", async () => {
    const r = await receiver("hang");
    const app = await appArchivingTo(r.url);
    const c = new Client(app.base);
    await c.startSession();
    const baseline = await timed(() => c.request("GET", "/api/health"));
    const flush = timed(() => app.runtime.logArchive!.flush());
    await expect.poll(() => r.batches.length, { timeout: 3000 }).toBe(1);
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await timed(() => c.request("GET", "/api/wizard"));
      expect(res.value.status).toBe(200);
      during.push(res.ms);
    }
    expect(Math.max(...during)).toBeLessThan(Math.max(250, baseline.ms * 5));
    // OTEL_EXPORTER_OTLP_TIMEOUT (500 ms) bounds the upload.
    expect((await flush).ms).toBeLessThan(1500);
    expect(droppedLogs((await c.request("GET", "/api/metrics")).text)).toBe(1);
  });

  it("refusing (503) or unreachable: requests answer, each lost batch counts as dropped", async () => {
    const r = await receiver("refuse");
    const probe = createServer();
    await new Promise<void>((res) => probe.listen(0, "127.0.0.1", () => res()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((res) => probe.close(() => res()));
    for (const url of [r.url, `http://127.0.0.1:${port}/r2/logs/app`]) {
      const app = await appArchivingTo(url);
      const c = new Client(app.base);
      expect((await c.startSession()).status).toBe(201);
      const flushed = await timed(() => app.runtime.logArchive!.flush());
      expect(flushed.ms).toBeLessThan(1500);
      expect(droppedLogs((await c.request("GET", "/api/metrics")).text)).toBe(1);
      expect((await c.request("GET", "/api/health")).status).toBe(200);
    }
    expect(r.batches).toHaveLength(1);
  });

  it("copies lines of multi-byte characters whole, across the cut into a second batch", async () => {
    const r = await receiver();
    const archive = createLogArchive(options(r.url));
    // 700 lines of about 1.9 KB of UTF-8 each (600 characters of 3 bytes, and a 4-byte emoji
    // that is 2 UTF-16 units): 1.3 MB, so a batch is cut when the next line would not fit.
    const text = (i: number) => `${"漢".repeat(600)} 🙂 ${i}`;
    for (let i = 0; i < 700; i++) archive.add(line(i, { note: text(i) }));
    await archive.close();
    expect(r.batches).toHaveLength(2);
    for (const b of r.batches) expect(gunzipSync(b.gz).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    const records = r.batches.flatMap((b) => b.records);
    expect(records.map((x) => x.request_id)).toEqual(
      Array.from({ length: 700 }, (_, i) => `r-${i}`),
    );
    expect(records.every((x, i) => x.note === text(i))).toBe(true);
  });

  it("keeps at most 4 batches waiting to be sent, dropping and counting the oldest", async () => {
    const r = await receiver();
    const archive = createLogArchive(options(r.url));
    const counted: number[] = [];
    archive.attach({
      dropped: { add: (n: number) => counted.push(n) } as never,
      logger: { warn: () => undefined } as never,
    });
    // Records of ~215 KB as archived (110 strings of 1,950 characters, and one cut to
    // MAX_ARCHIVED_STRING): a batch closes at 1 MB, after 4 lines. Nobody flushes while 30 are
    // added (an instance whose requests never end), so 8 batches form and 4 are dropped.
    const fields = Object.fromEntries(
      Array.from({ length: 110 }, (_, k) => [`f${k}`, "ab ".repeat(650)]),
    );
    for (let i = 0; i < 30; i++) {
      archive.add(line(i, { pad: "ab ".repeat(70_000), ...fields }));
    }
    await archive.close();
    expect(counted.reduce((a, b) => a + b, 0)).toBe(4);
    const ids = r.batches.flatMap((b) => b.records.map((x) => x.request_id));
    expect(ids).toEqual(Array.from({ length: 14 }, (_, i) => `r-${i + 16}`));
    // Long strings are cut before they are scrubbed and stored.
    expect(String(r.batches[0]!.records[0]!.pad)).toHaveLength(
      MAX_ARCHIVED_STRING + "…[cut]".length,
    );
  });

  it("scrubs strings without an @ exactly as scrubText does", () => {
    const samples = [
      "plain words",
      "Bearer abc.def-ghi",
      "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig and more",
      "eyJa.b",
      "a".repeat(40) + " tail",
      "https://host/path?x=1",
      "x".repeat(MAX_ARCHIVED_STRING),
    ];
    for (const s of samples) expect(scrubArchived(s), s.slice(0, 40)).toBe(scrubText(s));
    expect(scrubArchived("mail me at a.b@example.com")).toBe(
      scrubText("mail me at a.b@example.com"),
    );
  });

  it("keeps a line as written only where scrubbing would not change it, and every request line is such a line", () => {
    // Lines written by the app's real logger: request lines as the middleware writes them, then
    // records built at random (seeded) from keys the archive redacts or keeps and values that
    // carry emails, bearer tokens, JWTs, token-like runs, ids, escapes and long strings.
    const lines: string[] = [];
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const logger = createLogger("info", sink, { tee: (l) => lines.push(l.replace(/\n$/, "")) });
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed >>> 8) % n;
    };
    const hex = (n: number) =>
      Array.from({ length: n }, () => "0123456789abcdef"[rand(16)]).join("");
    const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    for (let i = 0; i < 200; i++) {
      logger.info(
        {
          trace_id: hex(32),
          span_id: hex(16),
          request_id: uuid(),
          method: ["GET", "POST"][rand(2)],
          route: ["/api/audits", "/api/audits/:id", "/api/sessions", "/api/ready"][rand(4)],
          status: [200, 201, 400, 401, 429, 503][rand(6)],
          ms: rand(100_000) / 100,
        },
        "request",
      );
    }
    const requestLines = lines.length;
    const keys = [
      "trace_id",
      "request_id",
      "span_id",
      "msg2",
      "note",
      "email",
      "Authorization",
      "url",
      "route",
      "detail",
      "parent_span_id",
      "x".repeat(33),
      "time",
    ];
    const values = [
      () => hex(32),
      () => uuid(),
      () => "plain words",
      () => "mail a.b@example.com now",
      () => `Bearer ${hex(20)}`,
      () => "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
      () => `${hex(40)} tail`,
      () => `id ${uuid()}`,
      () => 'quote " and back\\slash',
      () => "line\nbreak\ttab",
      () => "x".repeat(MAX_ARCHIVED_STRING + 10),
      () => "é ü 漢字 🙂",
      () => rand(1000),
      () => [hex(32), "ok"],
      () => ({ trace_id: hex(32), inner: "fine" }),
      () => ({ token: "abc", fine: "yes" }),
    ];
    for (let i = 0; i < 3000; i++) {
      const record: Record<string, unknown> = {};
      for (let k = rand(4); k >= 0; k--)
        record[keys[rand(keys.length)]!] = values[rand(values.length)]!();
      logger.info(record, rand(3) === 0 ? "msg with a.b@example.com" : "event");
    }
    let asWritten = 0;
    for (const l of lines) {
      const full = scrubbedRecord(l);
      const kept = archiveRecord(l);
      if (archivableAsWritten(l)) asWritten++;
      expect(kept === undefined, l.slice(0, 120)).toBe(full === undefined);
      if (full !== undefined) expect(JSON.parse(kept!), l.slice(0, 120)).toEqual(JSON.parse(full));
    }
    // Every request line takes the short path; the random records take both.
    expect(lines.slice(0, requestLines).every(archivableAsWritten)).toBe(true);
    expect(asWritten - requestLines).toBeGreaterThan(100);
    expect(lines.length - asWritten).toBeGreaterThan(1000);
  });

  it("a URL without its token stops the app at startup, naming the variable", async () => {
    const { loadConfig, ConfigError } = await import("../src/config");
    expect(() =>
      loadConfig(testEnv({ LOG_ARCHIVE_URL: "https://api.example.com/r2/logs/app" })),
    ).toThrow(ConfigError);
    expect(() => loadConfig(testEnv({ LOG_ARCHIVE_TOKEN: INGEST_TOKEN }))).toThrow(
      /LOG_ARCHIVE_URL must be set too/,
    );
  });
});

describe("the Vercel function", () => {
  it("sends the due batch through waitUntil after the response, and a hanging endpoint does not delay the response", async () => {
    const r = await receiver();
    const fn = await startVercelFunction(
      testEnv({
        LOG_ARCHIVE_URL: r.url,
        LOG_ARCHIVE_TOKEN: INGEST_TOKEN,
        // Due at every request's end, so one request shows the path.
        LOG_ARCHIVE_MAX_AGE_SECONDS: "0",
        OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
      }),
      "log-archive",
    );
    const { base, pending } = fn;
    try {
      const res = await fetch(base + "/api/health", {
        headers: { "x-forwarded-for": "2001:db8::a1", "x-request-id": "vercel-archive-1" },
      });
      expect(res.status).toBe(200);
      expect(pending.length).toBe(1);
      await Promise.all(pending);
      const records = r.batches.flatMap((b) => b.records);
      expect(records.find((x) => x.request_id === "vercel-archive-1")).toMatchObject({
        msg: "request",
        route: "/api/health",
        status: 200,
      });

      r.mode = "hang";
      pending.length = 0;
      const start = performance.now();
      const slow = await fetch(base + "/api/health", {
        headers: { "x-forwarded-for": "2001:db8::a1" },
      });
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
