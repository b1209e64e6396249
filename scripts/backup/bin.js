#!/usr/bin/env node
"use strict";
// `npm run backup`: the nightly cross-region database copy. TypeScript loads through the same ts-node registration as
// `npm run plan`.
require("../lib/run")(__dirname);
