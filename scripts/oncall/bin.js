#!/usr/bin/env node
"use strict";
// `npm run oncall`: where each of a stack's alerts goes (service, urgency, escalation, mute timing). Loaded like the plan
// (scripts/plan/bin.js), so the same stack files, presets and schema decide what it prints.
require("../lib/run")(__dirname, { chdir: true });
