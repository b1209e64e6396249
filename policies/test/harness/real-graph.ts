import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import { describe, expect, inject, it } from "vitest";
import { contextFromConfig } from "../../context";
import {
  analyzeResources,
  configurePolicies,
  evaluateStack,
  inProcessAnalyzer,
  type AnalyzerTransport,
  type PlanResource,
  type StackEvaluation,
  type Violation,
} from "../../evaluate";
import { createPolicies, PACK_LEVEL } from "../../pack";
import { resolvePolicyConfig } from "../../policy-config";

/**
 * The real graph of the program, as the offline plan hands it to the pack: each committed
 * stack run once under the mock engine (global-setup-stacks.ts), then copied per test so a
 * mutation stays inside the test that makes it.
 */

export type StackName = "dev" | "staging" | "prod";
export const STACKS: readonly StackName[] = ["dev", "staging", "prod"];
export const PACK_DIR = path.resolve(__dirname, "..", "..");

export interface Graph {
  stack: StackName;
  /** The flattened stack config the pack's context is built from (`ara:usage` → JSON text). */
  config: Record<string, string>;
  resources: PlanResource[];
}

type Runs = Record<StackName, { config: Record<string, string>; resources: PlanResource[] }>;
let runs: Runs | undefined;

/** A private copy of the stack's recorded graph. */
export function realGraph(stack: StackName): Graph {
  runs ??= JSON.parse(readFileSync(inject("stackRunsFile"), "utf8")) as Runs;
  const run = runs[stack];
  return structuredClone({ stack, config: run.config, resources: run.resources });
}

/** The resource with this logical name; throws if absent, so a renamed resource fails the spec. */
export function find(g: Graph, name: string): PlanResource {
  const r = g.resources.find((x) => x.name === name);
  if (!r) throw new Error(`the ${g.stack} graph has no resource named ${name}`);
  return r;
}

export function setProps(g: Graph, name: string, props: Record<string, unknown>): void {
  Object.assign(find(g, name).props, props);
}

export function drop(g: Graph, name: string): void {
  g.resources.splice(g.resources.indexOf(find(g, name)), 1);
}

/** Merges `value` into the stack's `ara:<key>` setting, as an edit of Pulumi.<stack>.yaml would. */
export function setConfig(g: Graph, key: string, value: object): void {
  const current = g.config[`ara:${key}`];
  g.config[`ara:${key}`] = JSON.stringify({ ...(current ? JSON.parse(current) : {}), ...value });
}

/** policies/config/<env>.json, parsed. */
export function envPolicyConfig(env: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(PACK_DIR, "config", `${env}.json`), "utf8"));
}

export interface RunOptions {
  stack?: StackName;
  mutate?: (g: Graph) => void;
  /** A `--policy-pack-config` document; default policies/config/<environment>.json. */
  policyConfig?: unknown;
}

/** The whole pack over the stack's real graph, exactly as `npm run plan` evaluates it. */
export async function evaluate(options: RunOptions = {}): Promise<StackEvaluation> {
  const g = realGraph(options.stack ?? "prod");
  options.mutate?.(g);
  return evaluateStack({
    stack: g.stack,
    config: g.config,
    resources: g.resources,
    ...(options.policyConfig !== undefined ? { policyConfig: options.policyConfig } : {}),
  });
}

export interface PolicyResult {
  /** The level the policy ran at after the stack's policy config was applied. */
  level: EnforcementLevel;
  violations: Violation[];
}

/** Loads the real graph of a stack (prod by default), mutates it, and runs it through the pack; returns one policy's verdict. */
export async function runPolicy(policy: string, options: RunOptions = {}): Promise<PolicyResult> {
  const e = await evaluate(options);
  const level = e.policies.levels[policy];
  if (!level) throw new Error(`the pack has no policy named ${policy}`);
  return { level, violations: e.policies.violations.filter((v) => v.policy === policy) };
}

/**
 * Why a stack policy did not apply to the stack's real graph (empty when it did). The plan's
 * output drops these, so they are read from the analyzer's AnalyzeStack responses here.
 */
export async function notApplicable(policy: string, stack: StackName): Promise<string[]> {
  const g = realGraph(stack);
  const context = contextFromConfig(stack, g.config);
  const policies = createPolicies(() => context);
  const resolved = resolvePolicyConfig(
    policies as Policy[],
    PACK_LEVEL,
    envPolicyConfig(context.config!.environment),
    `${stack}.json`,
  );
  const analyzer = inProcessAnalyzer(configurePolicies(policies, resolved));
  const reasons: string[] = [];
  const spy: AnalyzerTransport = {
    ...analyzer,
    analyzeStack: async (request) => {
      const resp = await analyzer.analyzeStack(request);
      for (const n of resp.getNotApplicableList())
        if (n.getPolicyName() === policy) reasons.push(n.getReason());
      return resp;
    },
  };
  await analyzeResources(spy, g.resources, { remediate: false });
  return reasons;
}

/**
 * The checks every failing case makes: the policy reported at least once, at `level`, every
 * message carries its fix (or says what was remediated), and one matches `message`.
 */
export function expectViolation(
  result: PolicyResult,
  expected: { level?: Violation["level"]; message?: RegExp } = {},
): void {
  const hits = result.violations;
  expect(hits.length, "no violation reported").toBeGreaterThan(0);
  expect(hits.map((h) => h.level)).toContain(expected.level ?? "mandatory");
  if (expected.message) expect(hits.map((h) => h.message).join("\n")).toMatch(expected.message);
  for (const h of hits) expect(h.message).toMatch(/Fix: |Remediated: /);
}

/** The level a policy runs at on each committed stack; one level stands for all three. */
export type StackLevels = EnforcementLevel | Record<StackName, EnforcementLevel>;
/** Mandatory in staging and prod; dev only warns. */
export const ADVISORY_IN_DEV: StackLevels = {
  dev: "advisory",
  staging: "mandatory",
  prod: "mandatory",
};
/** Mandatory in prod, off in dev and staging. */
export const PROD_ONLY: StackLevels = { dev: "disabled", staging: "disabled", prod: "mandatory" };

/**
 * The spec's baseline: on each committed stack the policy runs at `levels[stack]` (its policy
 * config) and reports nothing. A stack in `notApplicableOn` is one the policy says it does not
 * apply to, for a reason matching the pattern; on every other stack it applies (stack policies;
 * resource policies report no such reason).
 */
export function itPassesOnTheRealStacks(
  policy: string,
  levels: StackLevels,
  notApplicableOn: Partial<Record<StackName, RegExp>> = {},
): void {
  it.each(STACKS)("the real %s stack passes", async (stack) => {
    const result = await runPolicy(policy, { stack });
    expect(result.violations).toEqual([]);
    expect(result.level).toBe(typeof levels === "string" ? levels : levels[stack]);
    const reason = notApplicableOn[stack];
    expect(await notApplicable(policy, stack)).toEqual(
      reason ? [expect.stringMatching(reason)] : [],
    );
  });
}

/**
 * One failing case: `it(title)` mutates prod's real graph, runs the pack and makes
 * `expectViolation`'s checks with `expected`.
 */
export type FailingCase = (
  title: string,
  mutate: (g: Graph) => void,
  expected?: Parameters<typeof expectViolation>[1],
) => void;

export interface Spec {
  levels: StackLevels;
  /** Stacks the policy does not apply to, with the pattern its reason matches. */
  notApplicableOn?: Partial<Record<StackName, RegExp>>;
}

/**
 * A policy's spec: `describe(policy)` with the baseline over the real stacks
 * (`itPassesOnTheRealStacks`), then `body`, which states the failing cases through `fails` and
 * adds any other test it needs.
 */
export function describeSpec(policy: string, spec: Spec, body: (fails: FailingCase) => void): void {
  describe(policy, () => {
    itPassesOnTheRealStacks(policy, spec.levels, spec.notApplicableOn);
    body((title, mutate, expected) =>
      it(title, async () => expectViolation(await runPolicy(policy, { mutate }), expected)),
    );
  });
}

/** Only prod has the S3 replica: the S3 policies say they do not apply to dev and staging. */
export const ONLY_PROD_HAS_S3: Pick<Spec, "notApplicableOn"> = {
  notApplicableOn: { dev: /no S3 buckets/, staging: /no S3 buckets/ },
};
