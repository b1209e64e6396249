#!/usr/bin/env node
// `npm run bench -w @ara/policies`: what the policy pack adds to the offline plan. Prints the
// time to load the pack and the analyzer (first evaluation, cold) and the median of warm
// evaluations of the real prod graph. Figures are printed, never asserted.
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
process.chdir(root);
const require = createRequire(path.join(root, "package.json"));
require("./offline/register-ts.js").registerLikePulumi(root);

const runs = Number(process.env.BENCH_RUNS ?? 10);
const stack = process.env.BENCH_STACK ?? "prod";
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const { runProgram } = require("./offline/engine.ts");
const { readStackFile } = require("./offline/stack-file.ts");
const { config, secretKeys } = readStackFile(path.join(root, `Pulumi.${stack}.yaml`), "ara");
let t = process.hrtime.bigint();
const run = await runProgram({ stack, config, secretKeys });
const programMs = ms(t);

t = process.hrtime.bigint();
const { evaluateStack } = require("./policies/evaluate.ts");
const loadMs = ms(t);
t = process.hrtime.bigint();
const first = await evaluateStack({ stack, config, resources: run.resources });
const coldMs = ms(t);

const warm = [];
for (let i = 0; i < runs; i++) {
  t = process.hrtime.bigint();
  await evaluateStack({ stack, config, resources: run.resources });
  warm.push(ms(t));
}
warm.sort((a, b) => a - b);
const median =
  warm.length % 2
    ? warm[(warm.length - 1) / 2]
    : (warm[warm.length / 2 - 1] + warm[warm.length / 2]) / 2;

const f = (x) => `${x.toFixed(0)} ms`.padStart(8);
console.log(
  `Policy pack on stack ${stack}: ${run.resources.length} resources, ${first.policies.violations.length} violations, estimate $${first.cost.monthlyTotal.toFixed(2)}/month`,
);
console.log(`  program under mocks (for reference)      ${f(programMs)}`);
console.log(`  load policies/evaluate.ts (ts-node)      ${f(loadMs)}`);
console.log(`  first evaluateStack (analyzer + cost)    ${f(coldMs)}`);
console.log(
  `  warm evaluateStack, median of ${String(runs).padEnd(3)}        ${f(median)}   (min ${warm[0].toFixed(0)}, max ${warm[warm.length - 1].toFixed(0)})`,
);
console.log(`  pack share of a plan (load + first)      ${f(loadMs + coldMs)}`);
