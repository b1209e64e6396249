#!/usr/bin/env node
"use strict";
// `npm run plan`: the offline plan. Pulumi's host runs a program with the project directory
// as its working directory and ts-node registered; so do we, before anything TypeScript loads.
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
require("../../offline/register-ts").registerLikePulumi(root);
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
