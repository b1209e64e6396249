#!/usr/bin/env node
"use strict";
// `npm run alerts`: a stack's alert catalog as a Prometheus rules file. Loaded like the plan
// (scripts/plan/bin.js), so the same stack files, presets and schema decide what it prints.
require("../lib/run")(__dirname, { chdir: true });
