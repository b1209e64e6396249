// Load benchmark of the built server (dist/server.js) against real PostgreSQL and Redis, plus a
// bare Hono hello-world baseline, all on 127.0.0.1. Bounded: BENCH_SECONDS per target (default
// 8), 32 connections. Prints p50/p95/p99 latency and throughput, and the targets:
//   - p95 of POST /api/audits <= 25 ms
//   - GET /api/health throughput >= 50% of hello-world
//   - telemetry export costs POST /api/audits at most 10% of its throughput and 10% of its p95:
//     the same build run twice side by side, once exporting (OTLP metrics every 5 s, spans of
//     the default 10% of traces, Sentry DSN set) to a local receiver, once not (instruments
//     and spans still recorded for /api/metrics, nothing sent), both warmed up, then measured in
//     alternating rounds (off, on, on, off, twice) so drift of a shared machine falls on both.
// Figures are reported, not asserted: the exit code is non-zero only if the run itself broke.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startPostgres, startRedisServer, startSigner } from "../dist/local.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const QUESTION_IDS = [
  "data_inventory",
  "data_quality",
  "data_access",
  "api_coverage",
  "agent_credentials",
  "ai_policy",
  "audit_logging",
  "human_oversight",
  "process_docs",
  "success_metrics",
  "sponsorship",
  "skills",
];

function startNode(script, env) {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "", ...env },
    // The app's JSON logs go to /dev/null, as they would to a log drain.
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return { child, stderr: () => err };
}

async function waitHttp(url, proc) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} did not come up:\n${proc.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function load(name, opts, seconds = SECONDS) {
  const latencies = [];
  const instance = autocannon({ connections: CONNECTIONS, duration: seconds, ...opts });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status < 400) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const row = {
    name,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencies,
    seconds,
  };
  return row;
}

/** Several rounds of one target as one row: latencies pooled, throughput over their total time. */
function combine(name, rounds) {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const total = rounds.reduce((n, r) => n + r.total, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  return {
    name,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: total / seconds,
    total,
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
  };
}

// Stands in for Grafana Cloud's OTLP gateway and Sentry: answers 200 at once and counts.
async function startCollector() {
  const counts = { metrics: 0, traces: 0, sentry: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on("data", (d) => (counts.bytes += d.length));
    req.on("end", () => {
      if (req.url?.endsWith("/v1/metrics")) counts.metrics++;
      else if (req.url?.endsWith("/v1/traces")) counts.traces++;
      else if (req.url?.includes("/envelope/")) counts.sentry++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    close: () => new Promise((r) => server.close(r)),
  };
}

const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

async function main() {
  const started = Date.now();
  const signerToken = randomBytes(24).toString("base64url");
  const [pg, redis, signer] = await Promise.all([
    startPostgres(),
    startRedisServer(),
    startSigner({ token: signerToken, signingKey: randomBytes(32).toString("base64url") }),
  ]);
  const procs = [];
  const collector = await startCollector();
  try {
    const appPort = await freePort();
    const helloPort = await freePort();
    const exportingPort = await freePort();
    const quietPort = await freePort();
    const appEnv = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      SIGNER_URL: signer.url,
      SIGNER_TOKEN: signerToken,
      JWT_SECRET: randomBytes(32).toString("base64url"),
      DATA_KEY: randomBytes(24).toString("base64url"),
      HOST: "127.0.0.1",
      // Raised only here, so the 100/min production default does not turn the run into 429s.
      RATE_LIMIT_PER_MINUTE: "1000000000",
    };
    const app = startNode(path.join(here, "..", "dist", "server.js"), {
      ...appEnv,
      PORT: String(appPort),
    });
    const exporting = startNode(path.join(here, "..", "dist", "server.js"), {
      ...appEnv,
      PORT: String(exportingPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url + "/otlp",
      OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic%20YmVuY2g6YmVuY2g=",
      OTEL_METRIC_EXPORT_INTERVAL: "5000",
      // The production default, stated: one trace in ten is exported.
      OTEL_TRACES_SAMPLER_ARG: "0.1",
      SENTRY_DSN: collector.url.replace("//", "//benchkey@") + "/1",
    });
    // The comparison's "off" side: a process of its own, started and warmed like the exporting
    // one. (Comparing with the app the targets above have already loaded measured its head
    // start: two identical processes differed by 45% that way.)
    const quiet = startNode(path.join(here, "..", "dist", "server.js"), {
      ...appEnv,
      PORT: String(quietPort),
    });
    const hello = startNode(path.join(here, "hello.mjs"), { PORT: String(helloPort) });
    procs.push(app, exporting, quiet, hello);
    const base = `http://127.0.0.1:${appPort}`;
    const exportingBase = `http://127.0.0.1:${exportingPort}`;
    const quietBase = `http://127.0.0.1:${quietPort}`;
    await Promise.all([
      waitHttp(base + "/api/health", app),
      waitHttp(exportingBase + "/api/health", exporting),
      waitHttp(quietBase + "/api/health", quiet),
      waitHttp(`http://127.0.0.1:${helloPort}/`, hello),
    ]);

    const session = await (await fetch(base + "/api/sessions", { method: "POST" })).json();
    const auth = { authorization: `Bearer ${session.accessToken}` };
    const auditBody = JSON.stringify({
      organization: "Bench Co",
      email: "bench@example.com",
      answers: Object.fromEntries(QUESTION_IDS.map((id, i) => [id, i % 5])),
    });
    const created = await fetch(base + "/api/audits", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: auditBody,
    });
    if (created.status !== 201)
      throw new Error(`setup audit failed: ${created.status} ${await created.text()}`);
    const { id } = await created.json();

    const rows = [];
    rows.push(await load("hello-world (bare Hono)", { url: `http://127.0.0.1:${helloPort}/` }));
    rows.push(await load("GET /api/health", { url: base + "/api/health" }));
    rows.push(
      await load("POST /api/audits", {
        url: base + "/api/audits",
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: auditBody,
      }),
    );
    rows.push(
      await load("GET /api/audits/:id", { url: `${base}/api/audits/${id}`, headers: auth }),
    );

    // Telemetry export off and on, same build, same database, alternating rounds.
    const newSession = async (b) => (await fetch(b + "/api/sessions", { method: "POST" })).json();
    const exportingSession = await newSession(exportingBase);
    const quietSession = await newSession(quietBase);
    const audits = (url, token) => ({
      url: url + "/api/audits",
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: auditBody,
    });
    const half = Math.max(1, Math.round(SECONDS / 2));
    const quarter = Math.max(1, Math.round(SECONDS / 4));
    // Both have served nothing yet: warm them alike (JIT, a full pool, prepared statements)
    // and discard the figures.
    await load("warm-up", audits(quietBase, quietSession.accessToken), half);
    await load("warm-up", audits(exportingBase, exportingSession.accessToken), half);
    const off = [];
    const on = [];
    for (const round of ["off", "on", "on", "off", "off", "on", "on", "off"]) {
      if (round === "off")
        off.push(await load("off", audits(quietBase, quietSession.accessToken), quarter));
      else on.push(await load("on", audits(exportingBase, exportingSession.accessToken), quarter));
    }
    const offRow = combine("POST /api/audits, export off", off);
    const onRow = combine("POST /api/audits, export on", on);
    rows.push(offRow, onRow);

    const out = [];
    out.push(
      `ARA web benchmark: ${CONNECTIONS} connections, ${SECONDS} s per target, loopback, Node ${process.version}`,
    );
    out.push("");
    out.push(
      "target".padEnd(32) +
        "p50 ms".padStart(9) +
        "p95 ms".padStart(9) +
        "p99 ms".padStart(9) +
        "req/s".padStart(11) +
        "requests".padStart(10) +
        "non-2xx".padStart(9) +
        "errors".padStart(8),
    );
    for (const r of rows) {
      out.push(
        r.name.padEnd(32) +
          fmt(r.p50).padStart(9) +
          fmt(r.p95).padStart(9) +
          fmt(r.p99).padStart(9) +
          fmt(r.rps, 0).padStart(11) +
          String(r.total).padStart(10) +
          String(r.non2xx).padStart(9) +
          String(r.errors).padStart(8),
      );
    }
    const [helloRow, health, post] = rows;
    const ratio = health.rps / helloRow.rps;
    out.push("");
    out.push(
      `target: p95 POST /api/audits <= 25 ms: ${fmt(post.p95)} ms -> ${post.p95 <= 25 ? "MET" : "MISSED"}`,
    );
    out.push(
      `target: /api/health throughput >= 50% of hello-world: ${fmt(ratio * 100, 1)}% -> ${ratio >= 0.5 ? "MET" : "MISSED"}`,
    );
    const loss = 1 - onRow.rps / offRow.rps;
    const p95Change = onRow.p95 / offRow.p95 - 1;
    const { counts } = collector;
    out.push(
      `target: telemetry export costs <= 10% of POST /api/audits throughput: ${fmt(offRow.rps, 0)} -> ${fmt(onRow.rps, 0)} req/s, ${fmt(loss * 100, 1)}% loss -> ${loss <= 0.1 ? "MET" : "MISSED"}`,
    );
    out.push(
      `target: telemetry export keeps POST /api/audits p95 within 10%: ${fmt(offRow.p95)} -> ${fmt(onRow.p95)} ms, ${p95Change >= 0 ? "+" : ""}${fmt(p95Change * 100, 1)}% -> ${p95Change <= 0.1 ? "MET" : "MISSED"}`,
    );
    out.push(
      `(the exporting app sent ${counts.metrics} metric and ${counts.traces} trace batches, ${(counts.bytes / 1e6).toFixed(1)} MB, to the local collector)`,
    );
    out.push(`total run time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(out.join("\n") + "\n");
    if (rows.some((r) => r.non2xx > 0 || r.errors > 0)) {
      process.stdout.write(
        "warning: some requests failed; the figures above are not trustworthy\n",
      );
      process.exitCode = 1;
    }
  } finally {
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.allSettled([pg.stop(), redis.dispose(), signer.dispose(), collector.close()]);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
