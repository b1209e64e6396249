#!/usr/bin/env node
"use strict";
// `npm run verify`: the post-deploy health gate. TypeScript loads through the same ts-node
// registration as `npm run plan`.
require("../lib/run")(__dirname);
