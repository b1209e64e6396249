// Serves the built Vercel function (.vercel/output/functions/api.func/index.mjs), the artifact
// that is deployed, on 127.0.0.1:PORT, with the request context Vercel's runtime gives it:
// waitUntil(promise) keeps the instance for the promise after the response. The function's
// per-request telemetry flush runs through it, as in production.
// GET /__bench/stats answers, for the benchmark, the process's CPU time and time in garbage
// collection (ms), and how many waitUntil promises were handed over, how many are still pending
// and how long the settled ones took after the response (ms).
import { createServer } from "node:http";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const stats = { handed: 0, pending: 0, settledMs: [], gcMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) stats.gcMs += e.duration;
}).observe({ entryTypes: ["gc"] });
globalThis[Symbol.for("@vercel/request-context")] = {
  get: () => ({
    waitUntil: (promise) => {
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
const fn = path.join(here, "..", ".vercel", "output", "functions", "api.func", "index.mjs");
const { default: handler } = await import(fn);
createServer((req, res) => {
  if (req.url === "/__bench/stats") {
    // Read before the sort below, which is the benchmark's work, not the function's.
    const cpu = process.cpuUsage();
    const sorted = [...stats.settledMs].sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        cpuMs: (cpu.user + cpu.system) / 1000,
        gcMs: stats.gcMs,
        handed: stats.handed,
        pending: stats.pending,
        p50: at(0.5),
        p99: at(0.99),
        max: at(1),
      }),
    );
    return;
  }
  handler(req, res);
}).listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
