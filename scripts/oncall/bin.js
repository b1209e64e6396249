#!/usr/bin/env node
"use strict";
// `npm run oncall`: where each of a stack's alerts goes (service, urgency, escalation, mute timing). Loaded like the plan
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
