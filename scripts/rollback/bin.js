#!/usr/bin/env node
"use strict";
// `npm run rollback`: promote the previous production deployment of the app. TypeScript loads through the same ts-node
// registration as `npm run plan`.
require("../lib/run")(__dirname);
