import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runProgram, type ProgramRun } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import { evaluateStack, type StackEvaluation } from "../evaluate";
import { T } from "../lib/types";

/**
 * The real program's registrations (offline/engine.ts runs it under mocks, as `npm run
 * plan` does) through the pack, with each stack's committed config and policy config.
 */

type Stack = "dev" | "staging" | "prod";

async function plan(
  stack: Stack,
  overrides: Record<string, object> = {},
): Promise<{ run: ProgramRun; e: StackEvaluation }> {
  const file = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), "ara");
  const config = { ...file.config };
  for (const [key, value] of Object.entries(overrides)) {
    const current = config[`ara:${key}`];
    config[`ara:${key}`] = JSON.stringify({ ...(current ? JSON.parse(current) : {}), ...value });
  }
  const run = await runProgram({ stack, config, secretKeys: file.secretKeys });
  const e = await evaluateStack({ stack, config, resources: run.resources });
  return { run, e };
}

const mandatory = (e: StackEvaluation) =>
  e.policies.violations.filter((v) => v.level === "mandatory");

describe.each(["dev", "staging", "prod"] as const)("stack %s (real program)", (stack) => {
  let run: ProgramRun;
  let e: StackEvaluation;
  beforeAll(async () => {
    ({ run, e } = await plan(stack));
  });

  it("passes every mandatory policy with its committed config", () => {
    expect(mandatory(e)).toEqual([]);
    // The graph is the whole program: edge, app, monitoring and every data tier.
    for (const t of [
      T.zoneSetting,
      T.ruleset,
      T.upstashRedis,
      T.r2Bucket,
      T.workersScript,
      T.vercelProject,
      T.vercelFirewall,
    ]) {
      expect(
        run.resources.some((r) => r.type === t),
        t,
      ).toBe(true);
    }
  });

  it("is fully priced and within its budget", () => {
    expect(e.cost.unpriced).toEqual([]);
    expect(e.cost.monthlyTotal).toBeGreaterThan(0);
    expect(e.cost.monthlyTotal).toBeLessThanOrEqual(e.cost.budget);
    expect(
      e.policies.violations.filter(
        (v) => v.policy === "stack-monthly-budget" && v.level === "mandatory",
      ),
    ).toEqual([]);
  });
});

describe("deliberately broken prod configs", () => {
  it("fail, naming each guardrail they break", async () => {
    const { e } = await plan("prod", {
      protection: { protect: false, retainOnDelete: false },
      database: {
        deletionProtection: false,
        backup: { frequency: "weekly", retentionDays: 3, scheduleTime: "03:00" },
      },
      cache: { prodPack: false },
      budget: { monthlyUsd: 100 },
    });
    const failed = new Set(mandatory(e).map((v) => v.policy));
    for (const p of [
      "stateful-resources-protected",
      "database-deletion-protection",
      "database-daily-backups",
      "upstash-encryption-at-rest",
      "stack-monthly-budget",
    ]) {
      expect(failed, p).toContain(p);
    }
    const plain = e.policies.violations.filter((v) => v.policy === "stateful-resources-protected");
    expect(plain.some((v) => v.source === "analyzer")).toBe(true);
    expect(plain.some((v) => v.source === "plan" && /not retained on delete/.test(v.message))).toBe(
      true,
    );
  });

  it("a graph mutation the schema cannot express (plain-text credentials, plain URLs) fails too", async () => {
    const { run } = await plan("prod");
    const file = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"), "ara");
    const resources = structuredClone(run.resources);
    const byName = (name: string) => resources.find((r) => r.name === name)!;
    byName("app-env-redis-url").props.value = "redis://default:x@cache.example:6379";
    byName("app-env-signer-url").props.value = "http://api.ara.example";
    // The schema only allows 1.2 or 1.3; a hand edit of the resource is what could lower it.
    byName("edge-min-tls-version").props.value = "1.0";
    const signer = resources.find((r) => r.type === T.workersScript)!;
    signer.secretInputs = [];
    const e = await evaluateStack({ stack: "prod", config: file.config, resources });
    const names = new Set(e.policies.violations.map((v) => `${v.level} ${v.policy}`));
    expect(names).toContain("mandatory database-connection-tls");
    expect(names).toContain("mandatory https-only-urls");
    expect(names).toContain("mandatory zone-min-tls-version");
    expect(names).toContain("remediate secrets-marked-secret");
  });

  it("prod without the dead-letter queue's consumer fails queue-dead-letters-consumed", async () => {
    const { run, e } = await plan("prod");
    expect(e.policies.violations.filter((v) => v.policy === "queue-dead-letters-consumed")).toEqual(
      [],
    );
    const file = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"), "ara");
    const resources = run.resources.filter((r) => r.name !== "worker-replicator-dead-letters");
    expect(resources).toHaveLength(run.resources.length - 1);
    const broken = await evaluateStack({ stack: "prod", config: file.config, resources });
    const hits = broken.policies.violations.filter(
      (v) => v.policy === "queue-dead-letters-consumed",
    );
    expect(hits.map((h) => h.level)).toEqual(["mandatory"]);
    expect(hits[0]!.message).toMatch(
      /Queue 'storage-events-dlq' receives dead letters from QueueConsumer 'worker-replicator-consumer'/,
    );
  });
});
