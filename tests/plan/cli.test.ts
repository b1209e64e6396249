import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ROOT } from "../../offline/engine";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../stacks/secrets";
import { T } from "../../policies/lib/types";

const exec = promisify(execFile);
const BIN = path.join(ROOT, "scripts", "plan", "bin.js");
const dir = mkdtempSync(path.join(tmpdir(), "ara-plan-cli-"));

/** Runs `npm run plan -- ...` as a user would (the same bin, a fresh process). */
async function plan(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

describe("npm run plan", () => {
  let json: any;
  let raw: string;
  beforeAll(async () => {
    const r = await plan(["--stack", "prod", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    raw = r.stdout;
    json = JSON.parse(raw);
  });

  it("--json prints exactly one document with the documented shape", () => {
    expect(Object.keys(json)).toEqual([
      "stack",
      "project",
      "resources",
      "outputs",
      "cost",
      "policies",
      "preflight",
    ]);
    expect(json).toMatchObject({ stack: "prod", project: "ara" });
    for (const r of json.resources) {
      expect(Object.keys(r)).toEqual([
        "urn",
        "type",
        "name",
        "parent",
        "protect",
        "retainOnDelete",
        "inputs",
      ]);
    }
    expect(json.resources.length).toBeGreaterThan(50);
  });

  it("shows every secret as [secret] and never a credential", () => {
    expect(raw).not.toContain(OFFLINE_SECRET_PLACEHOLDER);
    expect(json.outputs.databaseConnectionString).toBe("[secret]");
    expect(json.outputs.signerToken).toBe("[secret]");
    const script = json.resources.find(
      (r: any) => r.type === T.workersScript && r.name === "worker-script",
    );
    const secretBindings = script.inputs.bindings.filter((b: any) => b.type === "secret_text");
    expect(secretBindings.length).toBeGreaterThan(0);
    for (const b of secretBindings) expect(b.text).toBe("[secret]");
  });

  it("fills cost and policies: prod is itemised and inside its budget, with no mandatory violation", () => {
    expect(json.cost.currency).toBe("USD");
    expect(json.cost.budget).toBe(500);
    expect(json.cost.monthlyTotal).toBeLessThanOrEqual(500);
    expect(json.cost.lines.length).toBeGreaterThan(10);
    const sum = json.cost.lines.reduce((n: number, l: any) => n + l.monthly, 0);
    expect(sum).toBeCloseTo(json.cost.monthlyTotal, 1);
    for (const l of json.cost.lines)
      expect(Object.keys(l)).toEqual(
        expect.arrayContaining(["urn", "service", "item", "monthly", "basis"]),
      );
    expect(json.policies.pack).toBe("ara-guardrails");
    expect(json.policies.violations.filter((v: any) => v.level === "mandatory")).toEqual([]);
  });

  it("--json carries the preflight: every resource checked, its totals, no violations and no timing", () => {
    expect(json.preflight.resources).toBe(json.resources.length);
    expect(json.preflight.types).toBe(new Set(json.resources.map((r: any) => r.type)).size);
    expect(json.preflight.arguments).toBeGreaterThan(json.preflight.resources);
    expect(json.preflight.rules).toBeGreaterThan(json.preflight.types);
    expect(json.preflight.violations).toEqual([]);
    expect(json.preflight).not.toHaveProperty("ms");
  });

  it("exits 1 when a name built from valid config is one the provider refuses, with the fix", async () => {
    // Each label and the whole domain are valid; "app." makes the app's hostname 257 characters.
    const domain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(52)}.example`;
    const config = parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    config.config["ara:domain"] = domain;
    const file = path.join(dir, "long-domain.yaml");
    writeFileSync(file, stringify(config));
    const r = await plan(["--stack", "prod", "--config-file", file]);
    expect(r.code, r.stderr).toBe(1);
    // The 256-character name is quoted by its head and tail, so the verdict fits 120 columns.
    for (const line of r.stdout.split("\n"))
      expect([...line].length, line).toBeLessThanOrEqual(120);
    expect(r.stdout).toMatch(
      /Preflight: \d+ resources of \d+ types, \d+ arguments checked against \d+ rules, [1-9]\d* violations?/,
    );
    expect(r.stdout).toMatch(/\[mandatory\] provider-preflight on edge-app-dns/);
    expect(r.stdout).toMatch(
      /DnsRecord 'edge-app-dns' argument name: [\s\S]* is not a lowercase hostname/,
    );
    expect(r.stdout).toMatch(/Fix: DNS names are built from ara:domain/);
    expect(r.stdout).toContain("Verdict: BLOCKED");
  });

  it("--diff lists added, removed and changed resources with the changed inputs", async () => {
    const saved = structuredClone(json);
    const bucket = saved.resources.find((r: any) => r.type === T.r2Bucket);
    bucket.inputs.location = "weur";
    const removedUrn = saved.resources.pop().urn;
    saved.resources.push({ ...bucket, urn: `${bucket.urn}-old`, name: "old" });
    saved.cost.monthlyTotal = json.cost.monthlyTotal / 2;
    const file = path.join(dir, "saved.json");
    writeFileSync(file, JSON.stringify(saved));
    const r = await plan(["--stack", "prod", "--diff", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(` + ${removedUrn}`);
    expect(r.stdout).toContain(` - ${bucket.urn}-old`);
    expect(r.stdout).toContain(` ~ ${bucket.urn}`);
    expect(r.stdout).toContain("inputs.location: weur => enam");
    expect(r.stdout).toMatch(/1 added, 1 removed, 1 changed, \d+ unchanged/);
    expect(r.stdout).toContain("Cost spike: The monthly estimate rose 100%");
  });

  it("--markdown prints a pull-request summary", async () => {
    const r = await plan(["--stack", "dev", "--markdown"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^### Offline plan for `dev`: ✅ passes/);
    expect(r.stdout).toContain("| Policy | Level | Resource | Message |");
    expect(r.stdout).toMatch(/^Preflight: \d+ resources of \d+ types, .* 0 violations\.$/m);
    expect(r.stdout).toContain("<details><summary>Cost lines</summary>");
  });

  it("prints the tree, cost table and verdict within 120 columns, cutting long inputs with …", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const r = await plan(["--stack", stack]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.split("\n");
      // Characters, not bytes: the tree's bars and the cost table's × are multi-byte.
      const widest = lines.reduce((a, l) => ([...l].length > [...a].length ? l : a), "");
      expect([...widest].length, `widest ${stack} line: ${widest}`).toBeLessThanOrEqual(120);
      expect(r.stdout).toContain("Verdict:");
    }
    const prod = await plan(["--stack", "prod"]);
    const script = json.resources.find((x: any) => x.name === "worker-script");
    expect(prod.stdout).not.toContain(script.inputs.contentSha256);
    expect(prod.stdout).toContain(`contentSha256=${script.inputs.contentSha256.slice(0, 20)}`);
    expect(prod.stdout).toMatch(/contentSha256=[0-9a-f]{39}…/);
    // The type as the Pulumi CLI shows it, without the repeated module segment.
    expect(prod.stdout).toContain("cloudflare:index:WorkersScript");
  });

  it("--wide shows every key input whole, one line per resource", async () => {
    const r = await plan(["--stack", "prod", "--wide"]);
    expect(r.code, r.stderr).toBe(0);
    const script = json.resources.find((x: any) => x.name === "worker-script");
    expect(r.stdout).toContain(`contentSha256=${script.inputs.contentSha256}`);
    expect(r.stdout).not.toContain("…");
    const row = r.stdout.split("\n").find((l) => l.includes(" worker-script "))!;
    expect(row).toContain("scriptName=ara-prod-signer");
  });

  it("--json and --markdown never cut values", async () => {
    expect(raw).not.toContain("…");
    const md = await plan(["--stack", "prod", "--markdown"]);
    expect(md.stdout).not.toContain("…");
  });

  it("exits 1 on a mandatory policy violation, naming the policy", async () => {
    const config = parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    config.config["ara:protection"] = { protect: false, retainOnDelete: false };
    const file = path.join(dir, "unprotected.yaml");
    writeFileSync(file, stringify(config));
    const r = await plan(["--stack", "prod", "--config-file", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[mandatory\] stateful-resources-protected/);
    expect(r.stdout).toContain("Verdict: BLOCKED");
  });

  it("compiles the program like Pulumi's host, so a tsconfig mistake breaks the plan too", async () => {
    // ES-module output cannot be require()d by the language host: `pulumi up` would fail.
    const tsconfig = JSON.parse(
      readFileSync(path.join(ROOT, "tsconfig.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
    );
    tsconfig.compilerOptions.module = "esnext";
    tsconfig.compilerOptions.moduleResolution = "bundler";
    const file = path.join(ROOT, `tsconfig.broken-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(tsconfig));
    try {
      const r = await plan(["--stack", "dev"], {
        PULUMI_NODEJS_TSCONFIG_PATH: path.basename(file),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /Cannot use import statement outside a module|SyntaxError|Cannot find module/,
      );
    } finally {
      (await import("node:fs")).rmSync(file, { force: true });
    }
  });
});
