#!/usr/bin/env node
"use strict";
// `npm run pr-report`: the pull-request comment from two directories of saved plans. TypeScript
// loads through the same ts-node registration as `npm run plan`.
require("../lib/run")(__dirname);
