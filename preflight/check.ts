import type { ArgRule, RelationRule, RuleContext, TypeEntry } from "./rule";
import { show } from "./rule";
import { TABLE } from "./rules";

/** A resource as the checker sees it: its inputs may be the policy SDK's unknown-checking proxy. */
export interface PreflightResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface Violation {
  /** The resource's logical name. */
  resource: string;
  type: string;
  /** The argument, with array indexes filled in: `rules[0].ratelimit.period`. */
  arg: string;
  /** The rule's wording. */
  rule: string;
  /** What is wrong with the value. */
  problem: string;
  source: string;
  fix: string;
}

export interface ResourceResult {
  violations: Violation[];
  /** Argument values that were known and tested (one per value per rule). */
  checked: number;
  /** Argument values skipped because they were unknown (a preview's not-yet-known outputs). */
  unknown: number;
}

/** Pulumi's wire sentinel for an unknown value, as it can appear in raw inputs. */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN = Symbol("unknown");

/**
 * Reads one property. @pulumi/policy's proxy throws its UnknownValueError on an unknown during a
 * preview; it is recognised by shape, not class, so this module loads no SDK (the program and the
 * stack schema import it too).
 */
function read(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    const v = (obj as Record<string | number, unknown>)[key];
    return v === UNKNOWN_SENTINEL ? UNKNOWN : v;
  } catch (err) {
    if (err && typeof err === "object" && "unknownTypeSentinel" in err) return UNKNOWN;
    throw err;
  }
}

function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

interface Found {
  path: string;
  value: unknown;
}

const STEPS = new Map<string, string[]>();
/** A rule path split once: the table's paths are few and checked for every resource. */
function stepsOf(path: string): string[] {
  let steps = STEPS.get(path);
  if (!steps) STEPS.set(path, (steps = path.split(".")));
  return steps;
}

/**
 * The known values at a rule path. `a.b` descends objects; `a[]` visits each element of a list.
 * Missing (undefined or null) values yield nothing: absent optional arguments are the
 * provider's defaults, which it accepts.
 */
export function valuesAt(inputs: unknown, path: string): { found: Found[]; unknown: number } {
  const found: Found[] = [];
  let unknown = 0;
  const steps = stepsOf(path);
  const walk = (node: unknown, i: number, at: string): void => {
    if (node === UNKNOWN) return void unknown++;
    if (node === undefined || node === null) return;
    if (i === steps.length) return void found.push({ path: at, value: node });
    const step = steps[i]!;
    const list = step.endsWith("[]");
    const key = list ? step.slice(0, -2) : step;
    const next = read(node, key);
    const here = at ? `${at}.${key}` : key;
    if (!list) return walk(next, i + 1, here);
    if (next === UNKNOWN) return void unknown++;
    if (!isArray(next)) return walk(next, i + 1, here);
    const len = read(next, "length");
    if (typeof len !== "number") return void unknown++;
    for (let j = 0; j < len; j++) walk(read(next, j), i + 1, `${here}[${j}]`);
  };
  walk(inputs, 0, "");
  return { found, unknown };
}

/** True when the value, or anything inside it, is unknown: the rule cannot judge it yet. */
function hasUnknown(v: unknown, depth = 0): boolean {
  if (v === UNKNOWN) return true;
  if (depth > 6 || v === null || typeof v !== "object") return false;
  try {
    for (const k of Object.keys(v)) if (hasUnknown(read(v, k), depth + 1)) return true;
  } catch (err) {
    if (err && typeof err === "object" && "unknownTypeSentinel" in err) return true;
    throw err;
  }
  return false;
}

/** A plain, fully known copy of the top-level arguments, for relation rules; unknowns become undefined. */
function knownTopLevel(inputs: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = read(inputs, k);
    if (v !== UNKNOWN && !hasUnknown(v)) out[k] = v;
  }
  return out;
}

function violation(
  r: PreflightResource,
  arg: string,
  rule: ArgRule | RelationRule,
  problem: string,
): Violation {
  return {
    resource: r.name,
    type: r.type,
    arg,
    rule: rule.rule,
    problem,
    source: rule.source,
    fix: rule.fix,
  };
}

/** The entry for a type; dynamic providers' tokens are matched by their resource kind too. */
export function entryFor(
  type: string,
  table: Readonly<Record<string, TypeEntry>> = TABLE,
): TypeEntry | undefined {
  return table[type];
}

/**
 * Time spent in checkResource in this process, in milliseconds: the plan reports it so the
 * preflight's own cost stays visible against its 150 ms budget (npm run bench).
 */
export const clock = { ms: 0 };

/** Checks one resource against its type's entry. A type with no entry is itself a violation. */
export function checkResource(
  r: PreflightResource,
  ctx: RuleContext,
  table: Readonly<Record<string, TypeEntry>> = TABLE,
): ResourceResult {
  const started = performance.now();
  try {
    return check(r, ctx, table);
  } finally {
    clock.ms += performance.now() - started;
  }
}

function check(
  r: PreflightResource,
  ctx: RuleContext,
  table: Readonly<Record<string, TypeEntry>>,
): ResourceResult {
  const entry = entryFor(r.type, table);
  const out: ResourceResult = { violations: [], checked: 0, unknown: 0 };
  if (!entry) {
    out.violations.push({
      resource: r.name,
      type: r.type,
      arg: "(type)",
      rule: "every resource type the program creates has an entry in the provider rule table",
      problem: `no preflight rules for ${r.type}`,
      source: "preflight/rules/index.ts",
      fix: `add an entry for "${r.type}" to preflight/rules/<provider>.ts with the provider's documented argument rules (or a note saying why none apply)`,
    });
    return out;
  }
  for (const [path, rules] of Object.entries(entry.args)) {
    const { found, unknown } = valuesAt(r.inputs, path);
    out.unknown += unknown;
    for (const { path: at, value } of found) {
      if (hasUnknown(value)) {
        out.unknown++;
        continue;
      }
      for (const rule of rules) {
        out.checked++;
        const problem = rule.test(value, ctx, r.inputs);
        if (problem) out.violations.push(violation(r, at, rule, problem));
      }
    }
  }
  if (entry.relations?.length) {
    const keys = new Set(entry.relations.map((x) => x.arg.split(/[.[]/)[0]!));
    for (const k of Object.keys(entry.args)) keys.add(k.split(/[.[]/)[0]!);
    const known = knownTopLevel(r.inputs, [...keys]);
    for (const rel of entry.relations) {
      out.checked++;
      const problem = rel.test(known, ctx);
      if (problem) out.violations.push(violation(r, rel.arg, rel, problem));
    }
  }
  return out;
}

export interface PreflightSummary {
  resources: number;
  types: number;
  /** Argument values tested (a value tested by two rules counts twice). */
  checked: number;
  unknown: number;
  /** Rules in the table for the types present. */
  rules: number;
  violations: Violation[];
}

export function rulesOf(entry: TypeEntry): number {
  return (
    Object.values(entry.args).reduce((n, rs) => n + rs.length, 0) + (entry.relations?.length ?? 0)
  );
}

/** Checks every resource; the totals feed the plan's "Preflight:" line. */
export function checkResources(
  resources: readonly PreflightResource[],
  ctx: RuleContext,
  table: Readonly<Record<string, TypeEntry>> = TABLE,
): PreflightSummary {
  const types = new Set<string>();
  const sum: PreflightSummary = {
    resources: 0,
    types: 0,
    checked: 0,
    unknown: 0,
    rules: 0,
    violations: [],
  };
  for (const r of resources) {
    sum.resources++;
    if (!types.has(r.type)) {
      types.add(r.type);
      const e = entryFor(r.type, table);
      if (e) sum.rules += rulesOf(e);
    }
    const res = checkResource(r, ctx, table);
    sum.checked += res.checked;
    sum.unknown += res.unknown;
    sum.violations.push(...res.violations);
  }
  sum.types = types.size;
  return sum;
}

/** One violation as a message: the resource, the argument, the rule, its source and the fix. */
export function formatViolation(v: Violation): string {
  return (
    `${v.type.split(":").pop()} '${v.resource}' argument ${v.arg}: ${v.problem}. ` +
    `Rule: ${v.rule} (source: ${v.source}).\nFix: ${v.fix}`
  );
}

/** Today's date in UTC, as rules compare it. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export { show };
