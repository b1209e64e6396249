#!/usr/bin/env node
"use strict";
// The dependency audit of the deployment checklist: `npm audit --omit=dev --audit-level=high`,
// which fails on a high or critical advisory in a production dependency. The advisory database
// is online only. Where the registry's audit endpoint cannot be reached (the build machines of
// this repository answer 405 from their registry mirror), this says so plainly and checks what
// can be checked offline: that the installed production tree matches the lockfile. In GitHub
// Actions (GITHUB_ACTIONS=true) an unreachable endpoint fails the run instead: there the audit
// must really happen.
const { spawnSync } = require("node:child_process");

const audit = spawnSync("npm", ["audit", "--omit=dev", "--audit-level=high"], { encoding: "utf8" });
const out = `${audit.stdout}${audit.stderr}`;
const unreachable =
  /audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|405 Method Not Allowed/.test(
    out,
  ) && !/found \d+ vulnerabilit/.test(out);

if (!unreachable) {
  process.stdout.write(out);
  process.exit(audit.status ?? 1);
}
if (process.env.GITHUB_ACTIONS === "true") {
  process.stderr.write(
    `${out}\nnpm audit could not reach the registry's advisory endpoint; re-run the job.\n`,
  );
  process.exit(1);
}
process.stdout.write(
  "npm audit: the registry's advisory endpoint is unreachable from this machine " +
    `(${(/\d{3} [A-Za-z ]+(?= - )/.exec(out) ?? ["no answer"])[0]}); the advisory check runs in GitHub Actions.\n` +
    "Offline instead: the production dependency tree must match package-lock.json (npm ls --omit=dev).\n",
);
const ls = spawnSync("npm", ["ls", "--omit=dev", "--all"], { encoding: "utf8" });
if (ls.status !== 0) {
  process.stderr.write(
    `${ls.stdout}${ls.stderr}\nThe installed tree does not match the lockfile: run \`npm ci\`.\n`,
  );
  process.exit(1);
}
process.stdout.write("npm ls --omit=dev: the installed production tree matches the lockfile.\n");
