import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { EnforcementLevel, Policies, Policy, Severity } from "@pulumi/policy";
import { contextFromConfig, type StackContext } from "./context";
import {
  estimateMonthlyCost,
  type CostEstimate,
  type CostLine,
  type Unpriced,
} from "./cost/estimate";
import {
  checkResources,
  clock as preflightClock,
  todayUtc,
  type Violation as PreflightViolation,
} from "../preflight/check";
import { COST_ALERTS } from "../stacks/cost-alerts";
import { createPolicies, PACK_LEVEL, PACK_NAME } from "./pack";
import { resolvePolicyConfig, type ResolvedPolicyConfig } from "./policy-config";
import {
  meta as protectedMeta,
  retainOnDeleteViolations,
} from "./rules/stateful-resources-protected";

/**
 * The offline plan's policy run: the pack's policies through the policy SDK's own analyzer
 * functions (`@pulumi/policy/server`), fed real AnalyzeRequest / AnalyzeStackRequest /
 * RemediateRequest protobufs built from the program's registrations, in this process (no
 * gRPC, no child process). docs/decisions/0006 lists what differs from `pulumi preview`.
 */

/** One registration of the program, as offline/engine.ts records it (CapturedResource). */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN, "" for none. */
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  dependsOn?: readonly string[];
  /** Inputs with secrets unwrapped. */
  props: Record<string, unknown>;
  /** Dotted paths (`bindings[1].text`) of inputs that were secret. */
  secretInputs?: readonly string[];
}

export interface EvaluateOptions {
  stack: string;
  /** The flattened stack config, as Pulumi passes it (`ara:usage` → JSON text). */
  config: Record<string, string>;
  resources: readonly PlanResource[];
  /**
   * The parsed `--policy-pack-config` document. Defaults to policies/config/<environment>.json
   * (the environment of the stack's config).
   */
  policyConfig?: unknown;
  /** How to name `policyConfig` in results and errors, e.g. its file path. */
  policyConfigName?: string;
}

export type ViolationLevel = "advisory" | "mandatory" | "remediate";

export interface Violation {
  policy: string;
  level: ViolationLevel;
  urn: string;
  /** The analyzer's text: the policy description, the problem, and "Fix: ...". */
  message: string;
  severity?: Severity;
  /**
   * "analyzer": reported by the pack's policies exactly as in a preview. "plan": a check the
   * analyzer protocol cannot carry (retainOnDelete), made from the program's registrations.
   */
  source: "analyzer" | "plan";
}

export interface StackEvaluation {
  cost: {
    currency: "USD";
    monthlyTotal: number;
    /** The budget in force: the stack's ara:budget.monthlyUsd unless the policy config overrides it. */
    budget: number;
    warnAtPercent: number;
    lines: CostLine[];
    unpriced: Unpriced[];
    counts: CostEstimate["counts"];
    coverage: CostEstimate["coverage"];
  };
  policies: {
    pack: typeof PACK_NAME;
    version: string;
    /** Which policy config was applied ("policies/config/prod.json" or "(given)"). */
    config: string;
    /** The level each policy ran at after the config was applied. */
    levels: Record<string, EnforcementLevel>;
    violations: Violation[];
  };
  /**
   * The provider preflight's totals over this plan (docs/preflight.md). Its violations are also
   * the `provider-preflight` policy's; here each keeps its argument, rule, source and fix.
   * evaluateStack always fills it; a verdict built by hand (a test, a saved report) may not.
   */
  preflight?: PreflightReport;
}

export interface PreflightReport {
  resources: number;
  types: number;
  /** Argument values tested, one per value per rule. */
  arguments: number;
  /** Rules in the table for the types in this plan. */
  rules: number;
  /** Values skipped because they were unknown. */
  unknown: number;
  violations: PreflightViolation[];
  /** Time in the checker (policy and totals), in milliseconds; not in the --json document (it varies). */
  ms: number;
}

const load = createRequire(__filename);
const policyDir = path.dirname(load.resolve("@pulumi/policy/package.json"));
const fromPolicy = createRequire(path.join(policyDir, "package.json"));
// The server's own copies: it builds and reads these messages, so ours must be the same classes.
const server = fromPolicy("./server") as {
  makeAnalyzeRpcFun: AnalyzerFn;
  makeAnalyzeStackRpcFun: AnalyzerFn;
  makeRemediateRpcFun: AnalyzerFn;
};
const pb = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const fromPulumi = createRequire(fromPolicy.resolve("@pulumi/pulumi/package.json"));
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");

type AnalyzerFn = (
  name: string,
  version: string,
  level: EnforcementLevel,
  policies: Policies,
) => (call: { request: unknown }, callback: (err: unknown, resp: any) => void) => Promise<void>;

const LEVEL_NAMES: Record<number, ViolationLevel> = {
  [pb.EnforcementLevel.ADVISORY]: "advisory",
  [pb.EnforcementLevel.MANDATORY]: "mandatory",
  [pb.EnforcementLevel.REMEDIATE]: "remediate",
};
const SEVERITIES: Record<number, Severity> = {
  [pb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [pb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [pb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [pb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/**
 * A secret as it travels inside a protobuf Struct: an object whose special-signature key holds
 * the secret signature (`specialSigKey` and `specialSecretSig` in @pulumi/pulumi
 * runtime/rpc.js), with the plain value beside it under `value`. The engine sends secret inputs
 * this way, and the policy SDK recognises only this shape.
 */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const PACKAGE_DIR = __dirname.endsWith(`${path.sep}dist${path.sep}policies`)
  ? path.resolve(__dirname, "..", "..")
  : __dirname;

let cachedVersion: string | undefined;
export function packVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string }
  ).version;
  return cachedVersion;
}

/** policies/config/<environment>.json, parsed. */
export function readPolicyConfig(environment: string): { file: string; json: unknown } {
  const file = path.join(PACKAGE_DIR, "config", `${environment}.json`);
  return {
    file: path.relative(path.resolve(PACKAGE_DIR, ".."), file),
    json: JSON.parse(readFileSync(file, "utf8")),
  };
}

/**
 * Policies as the pack process holds them after the engine's `Configure`: each at its
 * resolved level, `getConfig()` returning its resolved properties. (In the pack process the
 * SDK keeps that config in module state set only over gRPC; in-process we hand it over here.)
 */
export function configurePolicies(
  policies: Policies,
  resolved: Map<string, ResolvedPolicyConfig>,
): Policies {
  return policies.map((p) => {
    const r = resolved.get(p.name);
    if (!r) return p;
    const getConfig = () => structuredClone(r.properties);
    const wrap = <F extends (...a: any[]) => any>(fn: F): F => {
      const w = ((args: object, ...rest: unknown[]) =>
        fn({ ...args, getConfig }, ...rest)) as unknown as F;
      const t = (fn as { __pulumiType?: string }).__pulumiType;
      if (t) (w as unknown as { __pulumiType: string }).__pulumiType = t;
      return w;
    };
    const copy: any = { ...p, enforcementLevel: r.enforcementLevel };
    if (typeof copy.validateResource === "function")
      copy.validateResource = wrap(copy.validateResource);
    if (Array.isArray(copy.validateResource))
      copy.validateResource = copy.validateResource.map(wrap);
    if (typeof copy.remediateResource === "function")
      copy.remediateResource = wrap(copy.remediateResource);
    if (typeof copy.validateStack === "function") copy.validateStack = wrap(copy.validateStack);
    return copy;
  });
}

/** Re-wraps the values at `paths` as secrets, the way the engine sends them (KeepSecrets). */
export function withSecrets(
  props: Record<string, unknown>,
  paths: readonly string[] = [],
): Record<string, unknown> {
  const out = structuredClone(props);
  for (const p of paths) {
    const keys = p.match(/[^.[\]]+/g) ?? [];
    if (keys.length === 0) return { ...SECRET_SIG, value: out } as Record<string, unknown>;
    let node: any = out;
    for (const k of keys.slice(0, -1)) node = node?.[k];
    const last = keys[keys.length - 1]!;
    if (node && typeof node === "object" && last in node)
      node[last] = { ...SECRET_SIG, value: node[last] };
  }
  return out;
}

function resourceOptions(r: PlanResource) {
  const o = new pb.AnalyzerResourceOptions();
  o.setProtect(r.protect === true);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** Sets what an AnalyzeRequest and an AnalyzerResource both say of a resource; returns `msg`. */
function withResource(msg: any, r: PlanResource, props: unknown): any {
  msg.setType(r.type);
  msg.setName(r.name);
  msg.setUrn(r.urn);
  msg.setProperties(props);
  msg.setOptions(resourceOptions(r));
  return msg;
}

function call(fn: ReturnType<AnalyzerFn>, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp))).catch(reject);
  });
}

function toViolations(resp: any, fallbackUrn: string): Violation[] {
  return resp.getDiagnosticsList().map((d: any) => ({
    policy: d.getPolicyname(),
    level: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
    urn: d.getUrn() || fallbackUrn,
    message: d.getMessage(),
    ...(SEVERITIES[d.getSeverity()] ? { severity: SEVERITIES[d.getSeverity()] } : {}),
    source: "analyzer" as const,
  }));
}

/** Paths of secret values in a wire-format value, for describing what a remediation changed. */
function secretPaths(v: unknown, at = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => secretPaths(x, `${at}[${i}]`));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === SECRET_SIG["4dabf18193072939515e22adb298388d"])
      return [at];
    return Object.entries(o).flatMap(([k, x]) => secretPaths(x, at ? `${at}.${k}` : k));
  }
  return [];
}

/**
 * Where Analyze/AnalyzeStack/Remediate requests go: the SDK's functions in this process, or a
 * gRPC client of the pack process the CLI starts (the tests use both and compare).
 */
export interface AnalyzerTransport {
  analyze(request: unknown): Promise<any>;
  analyzeStack(request: unknown): Promise<any>;
  remediate(request: unknown): Promise<any>;
}

/** The SDK's own RPC handlers for `policies`, called in-process. */
export function inProcessAnalyzer(policies: Policies, version = packVersion()): AnalyzerTransport {
  const analyze = server.makeAnalyzeRpcFun(PACK_NAME, version, PACK_LEVEL, policies);
  const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, version, PACK_LEVEL, policies);
  const remediate = server.makeRemediateRpcFun(PACK_NAME, version, PACK_LEVEL, policies);
  return {
    analyze: (req) => call(analyze, req),
    analyzeStack: (req) => call(analyzeStack, req),
    remediate: (req) => call(remediate, req),
  };
}

/**
 * The engine's sequence for a preview: per resource, Remediate (when a policy remediates)
 * then Analyze on the remediated inputs; at the end AnalyzeStack over every resource.
 */
export async function analyzeResources(
  transport: AnalyzerTransport,
  resources: readonly PlanResource[],
  options: { remediate: boolean },
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const stackResources: unknown[] = [];
  for (const r of resources) {
    let wire = withSecrets(r.props, r.secretInputs);
    let props = Struct.fromJavaScript(wire);
    const request = () => withResource(new pb.AnalyzeRequest(), r, props);
    if (options.remediate) {
      const resp = await transport.remediate(request());
      for (const rem of resp.getRemediationsList()) {
        const diagnostic = rem.getDiagnostic();
        const changed = rem.getProperties();
        if (changed) {
          const after = changed.toJavaScript();
          const before = new Set(secretPaths(wire));
          const newly = secretPaths(after).filter((p) => !before.has(p));
          wire = after;
          props = changed;
          violations.push({
            policy: rem.getPolicyname(),
            level: "remediate",
            urn: r.urn,
            message: `${rem.getDescription()}\nRemediated: ${newly.length ? `${newly.join(", ")} arrived as plain values and were marked secret` : "the inputs were rewritten"}. Fix the program so the values are secret Outputs.`,
            source: "analyzer",
          });
        }
        if (diagnostic) {
          violations.push({
            policy: rem.getPolicyname(),
            level: "advisory",
            urn: r.urn,
            message: diagnostic,
            source: "analyzer",
          });
        }
      }
    }
    violations.push(...toViolations(await transport.analyze(request()), r.urn));

    const res = withResource(new pb.AnalyzerResource(), r, props);
    if (r.parent) res.setParent(r.parent);
    res.setDependenciesList([...(r.dependsOn ?? [])]);
    stackResources.push(res);
  }
  const stackReq = new pb.AnalyzeStackRequest();
  stackReq.setResourcesList(stackResources);
  violations.push(...toViolations(await transport.analyzeStack(stackReq), ""));
  return violations;
}

export async function evaluateStack(opts: EvaluateOptions): Promise<StackEvaluation> {
  const context: StackContext = contextFromConfig(opts.stack, opts.config);
  if (!context.config) throw new Error(context.error ?? `stack ${opts.stack} has no valid config`);
  const stackConfig = context.config;

  let configName = opts.policyConfigName ?? "(given)";
  let json = opts.policyConfig;
  if (json === undefined) {
    const read = readPolicyConfig(stackConfig.environment);
    configName = read.file;
    json = read.json;
  }
  const policies = createPolicies(() => context);
  const resolved = resolvePolicyConfig(policies as Policy[], PACK_LEVEL, json, configName);
  // The provider-preflight policy and the totals below both run the checker; count both.
  const preflightBefore = preflightClock.ms;
  const version = packVersion();
  const transport = inProcessAnalyzer(configurePolicies(policies, resolved), version);
  const anyRemediation = [...resolved.values()].some((r) => r.enforcementLevel === "remediate");
  const violations = await analyzeResources(transport, opts.resources, {
    remediate: anyRemediation,
  });

  // retainOnDelete is not in the analyzer protocol; the program's registrations carry it.
  violations.push(
    ...retainOnDeleteViolations(
      opts.resources,
      resolved.get(protectedMeta.name)?.enforcementLevel ?? PACK_LEVEL,
    ),
  );

  const checked = checkResources(
    opts.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.props })),
    { config: stackConfig, today: todayUtc() },
  );
  const preflight: PreflightReport = {
    resources: checked.resources,
    types: checked.types,
    arguments: checked.checked,
    rules: checked.rules,
    unknown: checked.unknown,
    violations: checked.violations,
    ms: preflightClock.ms - preflightBefore,
  };

  const budgetConfig = resolved.get("stack-monthly-budget")?.properties ?? {};
  const estimate = estimateMonthlyCost(opts.resources, {
    usage: stackConfig.usage,
    cloudflarePlan: stackConfig.edge.cloudflarePlan,
  });
  return {
    cost: {
      currency: "USD",
      monthlyTotal: estimate.monthlyTotal,
      budget:
        typeof budgetConfig.monthlyUsd === "number"
          ? budgetConfig.monthlyUsd
          : stackConfig.budget.monthlyUsd,
      warnAtPercent:
        typeof budgetConfig.warnAtPercent === "number"
          ? budgetConfig.warnAtPercent
          : stackConfig.budget.warnAtPercent,
      lines: estimate.lines,
      unpriced: estimate.unpriced,
      counts: estimate.counts,
      coverage: estimate.coverage,
    },
    policies: {
      pack: PACK_NAME,
      version,
      config: configName,
      levels: Object.fromEntries([...resolved].map(([k, v]) => [k, v.enforcementLevel])),
      violations,
    },
    preflight,
  };
}

/**
 * Requirement (docs/architecture.md) "Unexpected cost spikes > 50%": compares two estimates (e.g. a saved plan and the
 * new one). `undefined` when the change is within the threshold.
 */
export function costSpike(
  previousMonthly: number,
  currentMonthly: number,
  // The stack's ara:budget.spikePercent where the caller has it; ARA's requirement otherwise.
  thresholdPercent: number = COST_ALERTS.spikePercent,
): { percent: number; message: string } | undefined {
  if (previousMonthly <= 0) return undefined;
  const percent = ((currentMonthly - previousMonthly) / previousMonthly) * 100;
  if (percent <= thresholdPercent) return undefined;
  return {
    percent,
    message: `The monthly estimate rose ${percent.toFixed(0)}% (from $${previousMonthly.toFixed(2)} to $${currentMonthly.toFixed(2)}), above the ${thresholdPercent}% spike threshold.`,
  };
}
