#!/usr/bin/env node
"use strict";
// `npm run plan`: the offline plan. Pulumi's host runs a program with the project directory
// as its working directory and ts-node registered; so do we, before anything TypeScript loads.
require("../lib/run")(__dirname, { chdir: true });
