// Load benchmark of the built server (dist/server.js) against real PostgreSQL and Redis, plus a
// bare Hono hello-world baseline, all on 127.0.0.1. Bounded: BENCH_SECONDS per target (default
// 8), 32 connections. Prints p50/p95/p99 latency and throughput, and the targets:
//   - p95 of POST /api/audits <= 25 ms
//   - GET /api/health throughput >= 50% of hello-world
//   - telemetry costs POST /api/audits at most 10% of its throughput and 10% of its p95 (issue
//     #12). Measured on what is deployed: the built Vercel function, served by
//     bench/vercel-host.mjs with Vercel's waitUntil, so each request's telemetry flush runs as in
//     production. "On" has the variables infra/program.ts gives a stack with Grafana Cloud, Sentry
//     and a log archive (endpoint, credential header, DSN, archive URL and token) pointed at a
//     receiver in this process, and every other setting at its production default (1 trace in 10,
//     metrics every 60 s plus the per-request flush); "off" lacks them, as a stack with these
//     integrations off (its instruments and spans are still recorded for /api/metrics and the log
//     ids, and nothing is sent); a second "off" is the control. The three are instances of the
//     function in one process, which is started once per load order (6), since where an instance
//     is loaded moved it by up to 40% (the last loaded ran fastest). Warmed up alike, they are
//     measured in blocks of back-to-back rounds (one round of each per block, the order turning
//     from block to block), so that drift on a shared machine falls on all of them. The figures
//     compare each block's "on" round with the mean of its two "off" rounds and take the median
//     of those paired ratios: a block that the machine slowed down slows all of its rounds.
// Figures are reported, not asserted: the exit code is non-zero only if the run itself broke.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  archiveRecord,
  freePort,
  scrubbedRecord,
  startPostgres,
  startRedisServer,
  startSigner,
} from "../dist/local.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
// Blocks (rounds per process) in the telemetry comparison, each round BENCH_SECONDS * 3/8
// long (3 s by default); a multiple of 6 puts each process in each place of the order equally
// often. Identical instances differ by up to 40 % in a block: the median of 24 paired ratios
// varies less from run to run than that of 12 (its standard error about 1/√2 as large), and
// the run takes about 8 minutes.
const TELEMETRY_ROUNDS = Number(process.env.BENCH_TELEMETRY_ROUNDS ?? 24);
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

async function waitHttp(url, proc, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
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

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Several rounds of one target as one row: the median round's throughput, p50, p95 and p99. */
function medianRow(name, rounds) {
  return {
    name,
    p50: median(rounds.map((r) => r.p50)),
    p95: median(rounds.map((r) => r.p95)),
    p99: median(rounds.map((r) => r.p99)),
    rps: median(rounds.map((r) => r.rps)),
    cpuUs: median(rounds.map((r) => r.cpuUs)),
    gcUs: median(rounds.map((r) => r.gcUs)),
    total: rounds.reduce((n, r) => n + r.total, 0),
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
  };
}

/**
 * `side`'s figures relative to the mean of `bases`', block by block (round i of each was
 * measured in the same block): the median ratio of throughput, p95 and CPU per request.
 */
function pairedRatios(side, ...bases) {
  const ratio = (key) =>
    median(
      side.rounds.map(
        (r, i) => r[key] / (bases.reduce((sum, b) => sum + b.rounds[i][key], 0) / bases.length),
      ),
    );
  return { rps: ratio("rps"), p95: ratio("p95"), cpuUs: ratio("cpuUs") };
}

/**
 * The log archive's work per line (src/telemetry/log-archive.ts), in µs: a request line as the
 * app writes it, archived as written (archiveRecord's test) and by the full path (parse, scrub,
 * write), which every line took before.
 */
function archiveLineCost(calls = 200_000) {
  const line = JSON.stringify({
    level: "info",
    time: new Date().toISOString(),
    service: "ara-web",
    trace_id: randomBytes(16).toString("hex"),
    span_id: randomBytes(8).toString("hex"),
    request_id: randomUUID(),
    method: "POST",
    route: "/api/audits",
    status: 201,
    ms: 12.34,
    msg: "request",
  });
  const time = (fn) => {
    for (let i = 0; i < calls / 10; i++) fn(line);
    const start = performance.now();
    let n = 0;
    for (let i = 0; i < calls; i++) n += fn(line).length;
    if (n === 0) throw new Error("no output");
    return ((performance.now() - start) * 1000) / calls;
  };
  if (archiveRecord(line) !== line) throw new Error("a request line was not archived as written");
  return { asWritten: time(archiveRecord), full: time(scrubbedRecord) };
}

const stats = async (base, query = "") => (await fetch(base + "/__bench/stats" + query)).json();

/**
 * One round against an instance of bench/vercel-host.mjs, with the process's CPU time per
 * request (µs). The round ends once the instance's waitUntil flushes have settled (at most 1 s
 * after the last response, telemetry/flush.ts), so their work counts for this instance and not
 * for the next one measured, and never sooner than SETTLE_MS after the load: every round, with
 * flushes or without, then ends with the same idle time, in which V8 may collect garbage left
 * over (the heap is the three instances').
 */
const SETTLE_MS = 1200;
async function hostRound(name, base, opts, seconds) {
  const before = await stats(base);
  const row = await load(name, opts, seconds);
  const loaded = Date.now();
  let after = await stats(base);
  while ((after.pending > 0 && Date.now() < loaded + 5000) || Date.now() < loaded + SETTLE_MS) {
    await new Promise((r) => setTimeout(r, 50));
    after = await stats(base);
  }
  row.cpuUs = ((after.cpuMs - before.cpuMs) * 1000) / row.total;
  row.gcUs = ((after.gcMs - before.gcMs) * 1000) / row.total;
  return row;
}

// Stands in for Grafana Cloud's OTLP gateway, Sentry and the log archive: answers 200 at once
// and counts.
async function startCollector() {
  const counts = { metrics: 0, traces: 0, spans: 0, logs: 0, sentry: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (d) => {
      counts.bytes += d.length;
      chunks.push(d);
    });
    req.on("end", () => {
      if (req.url?.endsWith("/v1/metrics")) counts.metrics++;
      else if (req.url?.endsWith("/v1/traces")) {
        counts.traces++;
        // The exporter sends JSON; a gzip body (compressed export) is counted as batches only.
        const body = Buffer.concat(chunks);
        if (body[0] === 0x7b) counts.spans += body.toString().split('"spanId"').length - 1;
      } else if (req.url?.endsWith("/r2/logs/app")) counts.logs++;
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
    const controlPort = await freePort();
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
    // The telemetry comparison: the deployed function, twice. What infra/program.ts adds for a
    // stack with Grafana Cloud and Sentry on, and nothing else: the sampling ratio, the metric
    // interval and the export timeout stay at their production defaults.
    const productionTelemetry = {
      OTEL_SERVICE_NAME: "ara-prod-web",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url + "/otlp",
      OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic%20YmVuY2g6YmVuY2g=",
      SENTRY_DSN: collector.url.replace("//", "//benchkey@") + "/1",
      SENTRY_ENVIRONMENT: "prod",
      // The app's log archive (the signer's POST /r2/logs/app in a stack with one).
      LOG_ARCHIVE_URL: collector.url + "/r2/logs/app",
      LOG_ARCHIVE_TOKEN: randomBytes(24).toString("base64url"),
    };
    const hello = startNode(path.join(here, "hello.mjs"), { PORT: String(helloPort) });
    procs.push(app, hello);
    const base = `http://127.0.0.1:${appPort}`;
    await Promise.all([
      waitHttp(base + "/api/health", app),
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

    // Telemetry off and on: the deployed function in three instances of one process
    // (bench/vercel-host.mjs): "off", a stack with these integrations off; "on", with them; and
    // "off'", a second "off", the control: how far two identical instances land apart. The
    // instance loaded last ran fastest, in one process as in separate ones (identical
    // instances up to 40% apart in a block), so the process is started once per load order and
    // each runs the same number of blocks.
    const newSession = async (b) => (await fetch(b + "/api/sessions", { method: "POST" })).json();
    const audits = async (at) => {
      const { accessToken } = await newSession(at);
      return {
        url: at + "/api/audits",
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: auditBody,
      };
    };
    const half = Math.max(1, Math.round(SECONDS / 2));
    const roundSeconds = Math.max(1, Math.round((SECONDS * 3) / 8));
    const ports = { off: quietPort, on: exportingPort, "off'": controlPort };
    const envs = { off: {}, on: productionTelemetry, "off'": {} };
    const baseOf = (name) => `http://127.0.0.1:${ports[name]}`;
    const sides = { off: { rounds: [] }, on: { rounds: [] }, "off'": { rounds: [] } };
    // The six orders of the three. The process is started once in each load order (each
    // instance is loaded first, second and last, and after each of the others, equally often),
    // and the blocks' rounds take the orders in turn.
    const orders = [
      ["off", "on", "off'"],
      ["on", "off'", "off"],
      ["off'", "off", "on"],
      ["off'", "on", "off"],
      ["on", "off", "off'"],
      ["off", "off'", "on"],
    ];
    const blocksPerProcess = Math.max(1, Math.ceil(TELEMETRY_ROUNDS / orders.length));
    const exportedBefore = { ...collector.counts };
    const flushes = { handed: 0, pending: 0, p50: [], p99: [] };
    const dropped = { metrics: 0, traces: 0, logs: 0 };
    for (const [p, order] of orders.entries()) {
      const functions = startNode(path.join(here, "vercel-host.mjs"), {
        ...appEnv,
        BENCH_INSTANCES: JSON.stringify(
          order.map((name) => ({ name, port: ports[name], env: envs[name] })),
        ),
      });
      try {
        // The function bundle is 7 MB: loading it takes 20 s or more on a busy two-core machine.
        for (const name of order) await waitHttp(baseOf(name) + "/api/health", functions, 90_000);
        const opts = {};
        for (const name of order) opts[name] = await audits(baseOf(name));
        // None has served anything yet: warm them alike (JIT, a full pool, prepared
        // statements) and discard the figures.
        for (const name of order) await load("warm-up", opts[name], half);
        for (let i = 0; i < blocksPerProcess; i++) {
          for (const name of orders[(p * blocksPerProcess + i) % orders.length]) {
            sides[name].rounds.push(await hostRound(name, baseOf(name), opts[name], roundSeconds));
          }
        }
        const waited = await stats(baseOf("on"), "?latency");
        flushes.handed += waited.handed;
        flushes.pending += waited.pending;
        flushes.p50.push(waited.p50);
        flushes.p99.push(waited.p99);
        const metricsText = await (await fetch(baseOf("on") + "/api/metrics")).text();
        for (const m of metricsText.matchAll(
          /^ara_telemetry_dropped_total\{signal="(\w+)"\} (\d+)/gm,
        )) {
          dropped[m[1]] = (dropped[m[1]] ?? 0) + Number(m[2]);
        }
      } finally {
        functions.child.kill("SIGTERM");
        await new Promise((r) => functions.child.once("exit", r));
      }
    }
    const offRow = medianRow("POST /api/audits, telemetry off", sides.off.rounds);
    const onRow = medianRow("POST /api/audits, telemetry on", sides.on.rounds);
    const controlRow = medianRow("the same, off again (control)", sides["off'"].rounds);
    rows.push(offRow, onRow, controlRow);
    const exported = Object.fromEntries(
      Object.entries(collector.counts).map(([k, v]) => [k, v - exportedBefore[k]]),
    );

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
    // Measured with nothing else under load here: the instances have stopped.
    const lineCost = archiveLineCost();
    const blocks = sides.on.rounds.length;
    // "On" against both "off" instances (the same configuration twice), the control against
    // the other one.
    const onVsOff = pairedRatios(sides.on, sides.off, sides["off'"]);
    const controlVsOff = pairedRatios(sides["off'"], sides.off);
    const loss = 1 - onVsOff.rps;
    const p95Change = onVsOff.p95 - 1;
    const cpuChange = onVsOff.cpuUs - 1;
    const signed = (x) => `${x >= 0 ? "+" : ""}${fmt(x * 100, 1)}%`;
    out.push(
      `target: telemetry costs <= 10% of POST /api/audits throughput: ${fmt(loss * 100, 1)}% loss (median of ${blocks} paired rounds) -> ${loss <= 0.1 ? "MET" : "MISSED"}`,
    );
    out.push(
      `target: telemetry keeps POST /api/audits p95 within 10%: ${signed(p95Change)} (median of ${blocks} paired rounds) -> ${p95Change <= 0.1 ? "MET" : "MISSED"}`,
    );
    const controlLoss = 1 - controlVsOff.rps;
    const controlP95 = controlVsOff.p95 - 1;
    out.push(
      `  noise: the control, a second "off", measured the same way: ${fmt(controlLoss * 100, 1)}% "loss" in throughput and ${signed(controlP95)} in p95 in this run`,
    );
    out.push(
      `  the deployed Vercel function, 3 instances in one process, started ${orders.length} times (once per load order), ${blocksPerProcess} blocks each of one ${roundSeconds} s round per instance, back to back; per block:`,
    );
    for (const [name, side] of Object.entries(sides)) {
      out.push(
        `  ${name.padEnd(4)} req/s ${side.rounds.map((r) => fmt(r.rps, 0)).join(" ")}; p95 ms ${side.rounds.map((r) => fmt(r.p95, 1)).join(" ")}; CPU µs/request ${side.rounds.map((r) => fmt(r.cpuUs, 0)).join(" ")}`,
      );
    }
    out.push(
      `  the function's CPU time per request (median): off ${fmt(offRow.cpuUs, 0)} µs, on ${fmt(onRow.cpuUs, 0)} µs (paired: ${signed(cpuChange)}), control ${fmt(controlRow.cpuUs, 0)} µs (paired: ${signed(controlVsOff.cpuUs - 1)}); of which in garbage collection: ${fmt(offRow.gcUs, 0)}, ${fmt(onRow.gcUs, 0)}, ${fmt(controlRow.gcUs, 0)} µs`,
    );
    out.push(
      `  during the rounds "on" sent ${exported.metrics} metric, ${exported.traces} trace (${exported.spans} spans) and ${exported.logs} log archive batches, ${(exported.bytes / 1e6).toFixed(1)} MB, to the local receiver;` +
        ` ${flushes.handed} waitUntil flushes, ${flushes.pending} still pending, settled ${fmt(median(flushes.p50), 0)} ms after the response (median), ${fmt(median(flushes.p99), 0)} ms (p99);` +
        ` batches dropped: ${Object.entries(dropped)
          .map(([signal, n]) => `${signal} ${n}`)
          .join(", ")}`,
    );
    out.push(
      `  the log archive's work per request line, in this process: ${fmt(lineCost.asWritten)} µs archived as written, ${fmt(lineCost.full)} µs by the full path (parse, scrub, write)`,
    );
    const [load1, load5] = os.loadavg();
    out.push(
      `  ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${fmt(load1, 1)} (1 min) ${fmt(load5, 1)} (5 min) at the end`,
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
