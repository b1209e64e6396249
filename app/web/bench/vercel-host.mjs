// Serves the built Vercel function (.vercel/output/functions/api.func/index.mjs), the artifact
// that is deployed, on 127.0.0.1, with the request context Vercel's runtime gives it:
// waitUntil(promise) keeps the instance for the promise after the response. The function's
// per-request telemetry flush runs through it, as in production.
//
// BENCH_INSTANCES (JSON: [{ "name", "port", "env" }]) loads the function once per entry, each
// a module instance of its own (a distinct import URL) created with the process environment
// plus `env`, and serves it on `port`. The benchmark compares instances that differ only in
// `env` inside one process: two identical processes, started and warmed alike, differed by up
// to 15 % in throughput, more than the difference being measured. Instances share the event
// loop, heap and garbage collector, so they are measured one at a time.
//
// GET /__bench/stats on any port answers the process's CPU time and time in garbage collection
// (ms), and, for that port's instance, how many waitUntil promises were handed over and how
// many are still pending; with ?latency, also how long the settled ones took after the response
// (ms). Only then are they sorted: sorting tens of thousands of figures at every poll cost
// milliseconds of CPU that counted as the function's.
import { createServer } from "node:http";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fn = path.join(here, "..", ".vercel", "output", "functions", "api.func", "index.mjs");

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ["gc"] });

// The instance whose handler is running: waitUntil is called synchronously from it.
let serving;
globalThis[Symbol.for("@vercel/request-context")] = {
  get: () => ({
    waitUntil: (promise) => {
      const stats = serving.stats;
      const start = performance.now();
      stats.handed++;
      stats.pending++;
      void promise.finally(() => {
        stats.pending--;
        // A bounded sample: enough for percentiles, never a leak.
        if (stats.settledMs.length < 100_000) stats.settledMs.push(performance.now() - start);
      });
    },
  }),
};

if (!process.env.BENCH_INSTANCES) {
  throw new Error('BENCH_INSTANCES is required: [{ "name", "port", "env" }], one per instance');
}
const instances = JSON.parse(process.env.BENCH_INSTANCES);
const baseEnv = { ...process.env };
delete baseEnv.BENCH_INSTANCES;

for (const { name, port, env } of instances) {
  // The function reads its configuration from process.env when it is loaded.
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, baseEnv, env);
  const url = `${pathToFileURL(fn).href}?instance=${encodeURIComponent(name)}`;
  const { default: handler } = await import(url);
  const instance = { handler, stats: { handed: 0, pending: 0, settledMs: [] } };
  await new Promise((resolve) => {
    createServer((req, res) => {
      if (req.url?.startsWith("/__bench/stats")) {
        return answerStats(res, instance.stats, req.url.endsWith("?latency"));
      }
      serving = instance;
      try {
        handler(req, res);
      } finally {
        serving = undefined;
      }
    }).listen(port, "127.0.0.1", resolve);
  });
}
for (const key of Object.keys(process.env)) delete process.env[key];
Object.assign(process.env, baseEnv);

function answerStats(res, stats, latency) {
  const cpu = process.cpuUsage();
  const answer = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    gcMs,
    handed: stats.handed,
    pending: stats.pending,
  };
  if (latency) {
    const sorted = [...stats.settledMs].sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
    Object.assign(answer, { p50: at(0.5), p99: at(0.99), max: at(1) });
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(answer));
}

process.on("SIGTERM", () => process.exit(0));
