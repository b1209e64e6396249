import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { PROJECT, ROOT, runProgram } from "../../offline/engine";
import {
  compareStack,
  GITHUB_COMMENT_LIMIT,
  previewSummary,
  renderPrReport,
  REPORT_MARKER,
} from "../../offline/pr-report";
import { toDocument, type PlanDocument } from "../../offline/render";
import { readStackFile } from "../../offline/stack-file";
import { evaluateStack } from "../../policies/evaluate";

const exec = promisify(execFile);
const node = (bin: string, args: string[]) =>
  exec(process.execPath, [path.join(ROOT, "scripts", bin, "bin.js"), ...args], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });

/**
 * The deliberate change the snapshot shows, on dev: a new Postgres major version (the
 * PlanetScale provider replaces the database), no `development` branch (a delete) and a
 * PS-40 instead of a PS-10 (a cost rise of more than 50%).
 */
const HEAD_CHANGE = {
  majorVersion: "18",
  developmentBranch: false,
  clusterSize: "PS_40_AWS_ARM",
};

describe("npm run pr-report, from two real plans", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ara-pr-report-"));
  const base = path.join(dir, "base");
  const head = path.join(dir, "head");
  let markdown = "";

  beforeAll(async () => {
    mkdirSync(base);
    mkdirSync(head);
    const devFile = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    devFile.config["ara:database"] = { ...devFile.config["ara:database"], ...HEAD_CHANGE };
    const headDev = path.join(dir, "Pulumi.dev-head.yaml");
    writeFileSync(headDev, stringify(devFile));
    // What `npm run -s plan -- --stack <s> [--config-file <f>] --json` prints, in this process
    // (three fresh processes would cost 15 s on two cores; tests/plan/cli.test.ts covers the bin).
    const plan = async (stack: string, file: string, out: string[]) => {
      const { config, secretKeys } = readStackFile(file, PROJECT);
      const run = await runProgram({ stack, config, secretKeys });
      const verdict = await evaluateStack({ stack, config, resources: run.resources });
      const json = `${JSON.stringify(toDocument(run, verdict), null, 2)}\n`;
      for (const f of out) writeFileSync(f, json);
    };
    await plan("dev", path.join(ROOT, "Pulumi.dev.yaml"), [path.join(base, "dev.json")]);
    await plan("dev", headDev, [path.join(head, "dev.json")]);
    // prod is unchanged on both sides: one plan serves as both.
    await plan("prod", path.join(ROOT, "Pulumi.prod.yaml"), [
      path.join(base, "prod.json"),
      path.join(head, "prod.json"),
    ]);
    const out = path.join(dir, "report.md");
    await node("pr-report", [
      "--base",
      base,
      "--head",
      head,
      "--base-ref",
      "base",
      "--head-ref",
      "head",
      "--out",
      out,
    ]);
    markdown = readFileSync(out, "utf8");
  });

  it("matches the reviewed snapshot (accept a deliberate change with -u)", async () => {
    await expect(markdown).toMatchFileSnapshot("../snapshots/pr-report.md");
  });

  it("puts the hidden marker first and the summary row before any details", () => {
    expect(markdown.startsWith(`${REPORT_MARKER}\n`)).toBe(true);
    const row = markdown.split("\n").find((l) => l.startsWith("| dev |"))!;
    // create | update | replace | delete
    expect(row).toMatch(/^\| dev \| 0 \| \d+ \| \*\*1\*\* ⚠️ \| \*\*\d+\*\* ⚠️ \|/);
    expect(markdown.indexOf("| dev |")).toBeLessThan(markdown.indexOf("<details>"));
    expect(markdown.split("\n").find((l) => l.startsWith("| prod |"))).toMatch(
      /^\| prod \| 0 \| 0 \| 0 \| 0 \| \$\d+\.\d\d → \$\d+\.\d\d \| ±\$0\.00 \(0%\) \|/,
    );
  });

  it("names the replace with the input that forces it, and the delete", () => {
    expect(markdown).toMatch(
      /replace `database-postgres` \(`pulumi-nodejs:dynamic\/planetscale:Database`\), forced by `majorVersion`/,
    );
    expect(markdown).toMatch(/delete `database-development`/);
  });

  it("flags the cost spike with old, new and delta, and lists the line that moved most", () => {
    expect(markdown).toContain("📈 **Cost spike**");
    expect(markdown).toMatch(/The monthly estimate rose \d+% \(from \$\d+\.\d\d to \$\d+\.\d\d\)/);
    const table = markdown.slice(markdown.indexOf("Cost lines that changed most"));
    expect(table).toMatch(/\| PlanetScale \|[^\n]*\| \$10\.00 \| \$28\.00 \| \+\$18\.00 \|/);
  });

  it("stays under GitHub's comment limit with the details collapsed", () => {
    expect(markdown.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain("<details><summary>dev:");
    expect(markdown).not.toContain("Truncated");
  });
});

const doc = (stack: string, resources: Partial<PlanDocument["resources"][number]>[], total = 10) =>
  ({
    stack,
    project: "ara",
    resources: resources.map((r) => ({
      urn: `urn:pulumi:${stack}::ara::${r.type}::${r.name}`,
      type: r.type!,
      name: r.name!,
      parent: "",
      protect: r.protect ?? false,
      retainOnDelete: r.retainOnDelete ?? false,
      inputs: r.inputs ?? {},
    })),
    outputs: {},
    cost: { monthlyTotal: total, budget: 500, lines: [] },
    policies: { violations: [] },
  }) as PlanDocument;

describe("the report's rules", () => {
  const bucket = { type: "aws:s3/bucket:Bucket", name: "replica", protect: true };

  it("flags a protected resource that would be replaced louder than any other change", () => {
    const r = compareStack(
      "prod",
      doc("prod", [{ ...bucket, inputs: { bucketPrefix: "a-" } }]),
      doc("prod", [{ ...bucket, inputs: { bucketPrefix: "b-" } }]),
    );
    expect(r.counts).toEqual({ create: 0, update: 0, replace: 1, delete: 0 });
    const md = renderPrReport([r]);
    expect(md).toContain("> [!CAUTION]");
    expect(md).toMatch(/🛑 \*\*1 protected resource would be replaced or deleted/);
    expect(md).toContain("forced by `bucketPrefix`");
  });

  it("counts an input outside the replace list as an update", () => {
    const r = compareStack(
      "prod",
      doc("prod", [{ ...bucket, inputs: { forceDestroy: false } }]),
      doc("prod", [{ ...bucket, inputs: { forceDestroy: true } }]),
    );
    expect(r.counts.update).toBe(1);
    expect(renderPrReport([r])).not.toContain("[!CAUTION]");
  });

  it("says when a type's replace-on-change inputs are unknown", () => {
    const odd = { type: "acme:index/widget:Widget", name: "w" };
    const r = compareStack(
      "dev",
      doc("dev", [{ ...odd, inputs: { size: 1 } }]),
      doc("dev", [{ ...odd, inputs: { size: 2 } }]),
    );
    expect(renderPrReport([r])).toContain(
      "Not in that table, so shown as updates that may be replaces: `acme:index/widget:Widget`",
    );
  });

  it("does not call a rise of exactly 50% a spike, and does call 51%", () => {
    const at = (after: number) => compareStack("dev", doc("dev", [], 100), doc("dev", [], after));
    expect(at(150).cost.spike).toBeUndefined();
    expect(at(151).cost.spike).toMatch(/rose 51%/);
  });

  it("cuts whole detail sections to fit the limit, and says so", () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      type: "aws:sns/topic:Topic",
      name: `topic-${i}`,
      inputs: { displayName: `x`.repeat(80) + i },
    }));
    const reports = ["a", "b", "c"].map((s) => compareStack(s, undefined, doc(s, many)));
    const limit = 20_000;
    const md = renderPrReport(reports, { limit });
    expect(md.length).toBeLessThanOrEqual(limit);
    expect(md).toMatch(/✂️ \*\*Truncated:\*\* \d+ detail sections? did not fit/);
    // The summary is never cut: every stack's row is there.
    for (const s of ["a", "b", "c"]) expect(md).toContain(`| ${s} | 400 |`);
  });

  it("reads the resource summary out of a real preview's output", () => {
    const text =
      "Previewing update (dev)\n\nResources:\n    ~ 2 to update\n    60 unchanged\n\nDuration: 3s\n";
    expect(previewSummary(text)).toBe("~ 2 to update, 60 unchanged");
    expect(previewSummary("error: no credentials\n")).toBe("error: no credentials");
  });
});
