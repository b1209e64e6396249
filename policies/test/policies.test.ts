import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createPolicies } from "../pack";
import { evaluate, PACK_DIR, setProps, STACKS, type Graph } from "./harness/real-graph";

/**
 * The pack as a whole over the program's real graph; each policy's own passing and failing
 * cases are its spec in test/rules/<policy>.test.ts.
 */

const policies = createPolicies(() => ({ stack: "test" }));

describe("committed stacks (real graph)", () => {
  it.each(STACKS)("%s passes every mandatory policy with its committed config", async (stack) => {
    const e = await evaluate({ stack });
    expect(e.policies.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(e.policies.config).toBe(`policies/config/${stack}.json`);
    expect(e.cost.unpriced).toEqual([]);
  });

  it("prod runs every policy (none disabled); at most the 80% budget warning is raised", async () => {
    const e = await evaluate({ stack: "prod" });
    for (const p of policies) expect(e.policies.levels[p.name], p.name).not.toBe("disabled");
    const warn = e.cost.monthlyTotal >= (e.cost.budget * e.cost.warnAtPercent) / 100;
    expect(e.policies.violations.map((v) => `${v.level} ${v.policy}`)).toEqual(
      warn ? ["advisory stack-monthly-budget"] : [],
    );
    expect(e.cost.monthlyTotal).toBeLessThanOrEqual(e.cost.budget);
  });
});

describe("one spec per policy", () => {
  it("every policy has test/rules/<policy>.test.ts with a failing case, and no spec names another", () => {
    const specs = readdirSync(path.join(__dirname, "rules"));
    expect(specs.sort()).toEqual(policies.map((p) => `${p.name}.test.ts`).sort());
    for (const p of policies) {
      const text = readFileSync(path.join(__dirname, "rules", `${p.name}.test.ts`), "utf8");
      expect(text, p.name).toContain(`const POLICY = "${p.name}";`);
      // A failing case: expectViolation() itself, or describeSpec's fails(), which calls it.
      expect(text, p.name).toMatch(/expectViolation\(|^\s+fails\(/m);
    }
  });

  it("rules/ holds exactly one file per policy, named after it", () => {
    const files = readdirSync(path.join(PACK_DIR, "rules")).map((f) => f.replace(/\.ts$/, ""));
    expect(files.sort()).toEqual(policies.map((p) => p.name).sort());
  });
});

describe("environment configs", () => {
  it("dev and staging relax production-only guardrails", async () => {
    const unprotected = (g: Graph) => {
      for (const r of g.resources) r.protect = r.retainOnDelete = false;
      setProps(g, "database-postgres", { deletionProtected: false });
      setProps(g, "cache-redis", { prodPack: false });
    };
    for (const stack of ["dev", "staging"] as const) {
      const e = await evaluate({ stack, mutate: unprotected });
      expect(
        e.policies.violations.filter((v) => v.level === "mandatory"),
        stack,
      ).toEqual([]);
    }
    const prod = await evaluate({ stack: "prod", mutate: unprotected });
    const failed = new Set(
      prod.policies.violations.filter((v) => v.level === "mandatory").map((v) => v.policy),
    );
    expect(failed).toEqual(
      new Set([
        "stateful-resources-protected",
        "database-deletion-protection",
        "upstash-encryption-at-rest",
      ]),
    );
  });

  it('"all": "disabled" turns every policy off, the plan-only retainOnDelete check included', async () => {
    const e = await evaluate({
      mutate: (g) => {
        setProps(g, "cache-redis", { tls: false });
        for (const r of g.resources) r.retainOnDelete = false;
      },
      policyConfig: { all: "disabled" },
    });
    expect(e.policies.violations).toEqual([]);
  });
});

describe("policy metadata", () => {
  it.each(policies.map((p) => [p.name, p] as const))(
    "%s is documented and in its own file",
    (name, p) => {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.severity).toMatch(/^(low|medium|high|critical)$/);
      expect(p.enforcementLevel).toMatch(/^(mandatory|remediate)$/);
      expect((p.remediationSteps ?? "").length).toBeGreaterThan(20);
      const file = path.join(PACK_DIR, "rules", `${name}.ts`);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, "utf8");
      expect(text).toContain(`@severity ${p.severity}`);
      expect(text.match(/export const meta: RuleMeta/g)).toHaveLength(1);
      for (const env of ["dev", "staging", "prod"]) {
        const config = JSON.parse(
          readFileSync(path.join(PACK_DIR, "config", `${env}.json`), "utf8"),
        );
        expect(config[name], `${env}.json sets ${name}`).toBeDefined();
      }
      const docs = path.join(PACK_DIR, "..", "docs", "policies.md");
      expect(readFileSync(docs, "utf8")).toContain(`\`${name}\``);
    },
  );
});
