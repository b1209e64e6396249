#!/usr/bin/env node
"use strict";
// `npm run restore`: restores from the recovery copies. TypeScript loads through the same ts-node registration as
// `npm run plan`.
require("../lib/run")(__dirname);
