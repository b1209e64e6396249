#!/usr/bin/env node
"use strict";
// `npm run bench`: every performance target of the project, measured and printed. Targets
// are reported, never asserted: a slow machine prints a miss, it does not fail a build.
//
// 1. The offline plan against the bare SDK load (foundation target: plan <= 3x SDK).
// 2. The full prod plan: program, analyzer and cost (policy-pack target: <= 5 s).
// 3. The worker's benchmark (CPU per upload in workerd, 1 MB round trips).
// 4. The web app's benchmark (autocannon against the built server).
const { spawnSync } = require("node:child_process");
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
wall(process.execPath, ["-e", 'require("@pulumi/pulumi")']); // warm the file cache
for (let i = 0; i < runs; i++) {
  sdk.push(wall(process.execPath, ["-e", 'require("@pulumi/pulumi")']));
  plan.push(wall(npm, ["run", "-s", "plan", "--", "--stack", "prod", "--json"]));
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
