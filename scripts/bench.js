#!/usr/bin/env node
"use strict";
// `npm run bench`: every performance target of the project, measured and printed. Targets
// are reported, never asserted: a slow machine prints a miss, it does not fail a build.
//
// 1. The offline plan against the bare SDK load (foundation target: plan <= 3x SDK).
// 2. The full prod plan: program, analyzer and cost (policy-pack target: <= 5 s).
//    Within it, the provider preflight's own time (target: <= 150 ms).
// 3. The worker's benchmark (CPU per upload in workerd, 1 MB round trips).
// 4. The web app's benchmark (autocannon against the built server).
// 5. `npm run dev`: first start (no data, no PGlite snapshot) and second start (target < 15 s).
// 6. Recovery: storage restore throughput, the database and cache drills (runs before 5).
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function wall(command, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  return ms;
}

/** One prod plan, timed; the plan reports the preflight's own time on stderr when asked. */
function timedPlan() {
  const start = process.hrtime.bigint();
  const r = spawnSync(npm, ["run", "-s", "plan", "--", "--stack", "prod", "--json"], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    env: { ...process.env, ARA_PLAN_TIMINGS: "1" },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`plan exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const m = /timing: preflight ([\d.]+) ms/.exec(r.stderr);
  return { ms, preflightMs: m ? Number(m[1]) : NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function section(title) {
  process.stdout.write(`\n== ${title}\n`);
}

section(`Offline plan vs bare SDK load (${runs} interleaved runs each, median wall time)`);
const sdk = [];
const plan = [];
const preflight = [];
wall(process.execPath, ["-e", 'require("@pulumi/pulumi")']); // warm the file cache
for (let i = 0; i < runs; i++) {
  sdk.push(wall(process.execPath, ["-e", 'require("@pulumi/pulumi")']));
  const p = timedPlan();
  plan.push(p.ms);
  preflight.push(p.preflightMs);
}
const sdkMs = median(sdk);
const planMs = median(plan);
const ratio = planMs / sdkMs;
console.log(
  `node -e 'require("@pulumi/pulumi")'          median ${sdkMs.toFixed(0)} ms  (runs: ${sdk.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(
  `npm run plan -- --stack prod --json        median ${planMs.toFixed(0)} ms  (runs: ${plan.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(
  `ratio plan / SDK                           ${ratio.toFixed(2)}x  (target <= 3x: ${ratio <= 3 ? "met" : "MISSED"})`,
);

section("Full prod plan: program + policy analyzer + cost model");
console.log(
  `median wall time                           ${(planMs / 1000).toFixed(2)} s  (target <= 5 s: ${planMs <= 5000 ? "met" : "MISSED"})`,
);
console.log("(the plan always runs the analyzer and the cost model; this is the same measurement)");

section("Provider preflight on the prod plan (docs/preflight.md): the policy and the totals");
const preflightMs = median(preflight);
console.log(
  `median time in the checker                 ${preflightMs.toFixed(1)} ms  (target <= 150 ms: ${preflightMs <= 150 ? "met" : "MISSED"})  (runs: ${preflight.map((x) => x.toFixed(1)).join(", ")})`,
);

for (const [title, workspace] of [
  ["Worker (app/worker): CPU per upload in workerd, 1 MB round trips", "app/worker"],
  ["Web app (app/web): autocannon, 32 connections on loopback", "app/web"],
]) {
  section(title);
  const r = spawnSync(npm, ["run", "-s", "bench", "-w", workspace], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) console.log(`(the ${workspace} benchmark exited ${r.status})`);
}

// Recovery (tests/recovery/bench.ts) in a process of its own, which loads TypeScript as the
// recovery CLIs do; its services' logs stay out of the output unless it fails.
section("Recovery: storage restore on loopback, database and cache drills (local, lower bounds)");
{
  const r = spawnSync(
    process.execPath,
    [
      "-e",
      'require("./offline/register-ts").registerLikePulumi(process.cwd());' +
        'require("./tests/recovery/bench.ts").main().then((code) => { process.exitCode = code; });',
    ],
    { cwd: root, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" },
  );
  if (r.status !== 0) {
    console.log(`(the recovery benchmark exited ${r.status}: ${(r.stderr ?? "").slice(-2000)})`);
  }
}

// Seconds from `npm run dev` to its "ready: open" line, then a clean stop (SIGINT to the whole
// process group: npm, the launcher, redis-server, workerd).
async function devStart(env) {
  const port = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port: p } = srv.address();
      srv.close(() => resolve(p));
    });
  });
  const start = process.hrtime.bigint();
  const child = spawn(npm, ["run", "-s", "dev"], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const ms = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within 180 s:\n${out}`)),
      180_000,
    );
    const onData = (d) => {
      out += d;
      if (out.includes('"msg":"ready: open http://')) {
        clearTimeout(timer);
        resolve(Number(process.hrtime.bigint() - start) / 1e6);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm run dev exited ${code}:\n${out}`)));
  }).finally(() => process.kill(-child.pid, "SIGINT"));
  await exited;
  return ms;
}

(async () => {
  section("npm run dev: time to the ready line (build included)");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ara-bench-dev-"));
  // A fresh clone: no data directory and no PGlite snapshot, so PGlite runs initdb.
  const env = {
    ARA_DEV_DATA_DIR: path.join(scratch, "data"),
    ARA_DEV_CACHE_DIR: path.join(scratch, "cache"),
  };
  try {
    const first = await devStart(env);
    const second = await devStart(env);
    console.log(
      `first start (no data, no snapshot)         ${(first / 1000).toFixed(1)} s  (reported)`,
    );
    console.log(
      `second start (same data directory)         ${(second / 1000).toFixed(1)} s  (target < 15 s: ${second < 15_000 ? "met" : "MISSED"})`,
    );
  } catch (err) {
    console.log(`(the npm run dev benchmark failed: ${err.message})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
})();
