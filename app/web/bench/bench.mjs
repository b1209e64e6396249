// Load benchmark of the built server (dist/server.js) against real PostgreSQL and Redis, plus a
// bare Hono hello-world baseline, all on 127.0.0.1. Bounded: BENCH_SECONDS per target (default
// 8), 32 connections. Prints p50/p95/p99 latency and throughput, and the two targets:
//   - p95 of POST /api/audits <= 25 ms
//   - GET /api/health throughput >= 50% of hello-world
// Figures are reported, not asserted: the exit code is non-zero only if the run itself broke.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
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

async function load(name, opts) {
  const latencies = [];
  const instance = autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
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
  };
  return row;
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
  try {
    const appPort = await freePort();
    const helloPort = await freePort();
    const app = startNode(path.join(here, "..", "dist", "server.js"), {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      SIGNER_URL: signer.url,
      SIGNER_TOKEN: signerToken,
      JWT_SECRET: randomBytes(32).toString("base64url"),
      DATA_KEY: randomBytes(24).toString("base64url"),
      PORT: String(appPort),
      HOST: "127.0.0.1",
      // Raised only here, so the 100/min production default does not turn the run into 429s.
      RATE_LIMIT_PER_MINUTE: "1000000000",
    });
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

    const out = [];
    out.push(
      `ARA web benchmark: ${CONNECTIONS} connections, ${SECONDS} s per target, loopback, Node ${process.version}`,
    );
    out.push("");
    out.push(
      "target".padEnd(26) +
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
        r.name.padEnd(26) +
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
    await Promise.allSettled([pg.stop(), redis.dispose(), signer.dispose()]);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
