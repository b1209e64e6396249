#!/usr/bin/env node
"use strict";
// `npm run alerts`: a stack's alert catalog as a Prometheus rules file. Loaded like the plan
// (scripts/plan/bin.js), so the same stack files, presets and schema decide what it prints.
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
require("../../offline/register-ts").registerLikePulumi(root);
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
