import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../offline/engine";
import { STACKS } from "../harness";

/** `npm run alerts` exactly as a person runs it: the real CLI, its stdout, its exit code. */
function alertsCli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, "scripts/alerts/bin.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
}

const promtool = (...args: string[]) =>
  spawnSync("promtool", args, { encoding: "utf8", cwd: args.at(-1) && path.dirname(args.at(-1)!) });

describe("npm run alerts", () => {
  it.each(STACKS)("prints %s's rules, which promtool check rules accepts", (stack) => {
    const out = alertsCli("--stack", stack, "--format", "prometheus");
    expect(out.status, out.stderr).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), "ara-rules-"));
    const file = path.join(dir, `${stack}.rules.yml`);
    writeFileSync(file, out.stdout);
    const check = promtool("check", "rules", file);
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes prod's committed rule unit tests (tests/alerts/unit/prod.test.yml)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ara-rules-test-"));
    writeFileSync(path.join(dir, "prod.rules.yml"), alertsCli("--stack", "prod").stdout);
    copyFileSync(path.join(__dirname, "unit/prod.test.yml"), path.join(dir, "prod.test.yml"));
    const run = promtool("test", "rules", path.join(dir, "prod.test.yml"));
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });

  it("fails those unit tests when a threshold drifts (they can fail)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ara-rules-drift-"));
    const rules = alertsCli("--stack", "prod").stdout.replace(") > 0.01\n", ") > 0.012\n");
    expect(rules).toContain("> 0.012");
    writeFileSync(path.join(dir, "prod.rules.yml"), rules);
    copyFileSync(path.join(__dirname, "unit/prod.test.yml"), path.join(dir, "prod.test.yml"));
    const run = promtool("test", "rules", path.join(dir, "prod.test.yml"));
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain("alertname: AraErrorRateHigh, time: 6m");
  });

  it("refuses an unknown format and a missing stack with exit 2 and the fix", () => {
    const format = alertsCli("--stack", "prod", "--format", "grafana");
    expect(format.status).toBe(2);
    expect(format.stderr).toContain("use --format prometheus");
    const stack = alertsCli("--stack", "qa");
    expect(stack.status).toBe(2);
    expect(stack.stderr).toContain("Pulumi.qa.yaml");
  });
});

it("promtool is installed (bash .ci/run installs Debian's prometheus package)", () => {
  expect(execFileSync("promtool", ["--version"], { encoding: "utf8" })).toMatch(/promtool/);
});
