"use strict";
// Runs the real program for every committed stack under the mock engine, once per test run,
// and writes what the pack sees (config and registrations) to the JSON file named by argv[2].
// A separate process because the program needs ts-node registered the way Pulumi's host
// registers it, and the mock monitor is process-global: the vitest process stays clean.
const { writeFileSync } = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..", "..");
require(path.join(ROOT, "offline", "register-ts.js")).registerLikePulumi(ROOT);
const { PROJECT, runProgram } = require(path.join(ROOT, "offline", "engine.ts"));
const { readStackFile } = require(path.join(ROOT, "offline", "stack-file.ts"));

async function main(out) {
  const runs = {};
  // One at a time: runProgram replaces the process-wide mocks on each call.
  for (const stack of ["dev", "staging", "prod"]) {
    const file = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
    const run = await runProgram({ stack, config: file.config, secretKeys: file.secretKeys });
    runs[stack] = {
      config: file.config,
      resources: run.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        props: r.props,
        secretInputs: r.secretInputs,
      })),
    };
  }
  writeFileSync(out, JSON.stringify(runs));
}

main(process.argv[2]).catch((err) => {
  console.error(err);
  process.exit(1);
});
