#!/usr/bin/env node
"use strict";
// `npm run drill`: recovery drills. TypeScript loads through the same ts-node registration as
// `npm run plan`.
require("../lib/run")(__dirname);
