#!/usr/bin/env node
"use strict";
// `npm run docs`: regenerates the preset table in docs/configuration.md from stacks/presets.ts.
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
require("../../offline/register-ts").registerLikePulumi(root);
const { withPresetTable } = require("./config-table.ts");
const file = path.join(root, "docs", "configuration.md");
fs.writeFileSync(file, withPresetTable(fs.readFileSync(file, "utf8")));
console.log(`updated ${path.relative(root, file)}`);
