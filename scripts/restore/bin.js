#!/usr/bin/env node
"use strict";
// `npm run restore`: restores from the recovery copies. TypeScript loads through the same ts-node registration as
// `npm run plan`.
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
require("../../offline/register-ts").registerLikePulumi(root);
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
