import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/**
 * The engine's half of `--policy-pack-config <file>`, as the Pulumi CLI does it before it sends
 * `Configure` to the pack (pulumi/pulumi pkg/resource/analyzer/config.go: parsePolicyPackConfig,
 * createConfigWithDefaults, applyConfig, validatePolicyPackConfig):
 *
 * 1. every policy starts at its own level (else the pack's) with its schema defaults;
 * 2. `"all": <level>` sets every policy's level;
 * 3. a policy's own entry then sets its level and merges its properties;
 * 4. the result is validated against each policy's configSchema; any error stops the run.
 */

export const LEVELS: readonly EnforcementLevel[] = [
  "advisory",
  "mandatory",
  "remediate",
  "disabled",
];

export interface PolicyInfo {
  name: string;
  enforcementLevel?: EnforcementLevel;
  configSchema?: PolicyConfigSchema;
}

export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/** The config file is malformed or does not match a policy's schema; the run must stop. */
export class PolicyConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid policy pack config ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Fix the file (docs/policies.md lists each policy's properties), as `pulumi preview --policy-pack-config` would refuse it too.",
    );
    this.name = "PolicyConfigError";
  }
}

interface Entry {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

function isLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

function parse(file: string, json: unknown): Map<string, Entry> {
  const problems: string[] = [];
  const out = new Map<string, Entry>();
  if (json === null || json === undefined) return out;
  if (typeof json !== "object" || Array.isArray(json)) {
    throw new PolicyConfigError(file, ["the file must hold a JSON object of policy names"]);
  }
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (typeof value === "string") {
      if (!isLevel(value))
        problems.push(
          `${name}: "${value}" is not a valid enforcement level (${LEVELS.join(", ")})`,
        );
      else out.set(name, { enforcementLevel: value });
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        problems.push(
          `${name}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${LEVELS.join(", ")})`,
        );
        continue;
      }
      const entry: Entry = {};
      if (enforcementLevel !== undefined) entry.enforcementLevel = enforcementLevel;
      if (Object.keys(properties).length > 0) entry.properties = properties;
      if (entry.enforcementLevel !== undefined || entry.properties !== undefined)
        out.set(name, entry);
    } else {
      problems.push(
        `${name}: ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
  }
  if (problems.length > 0) throw new PolicyConfigError(file, problems);
  return out;
}

export function resolvePolicyConfig(
  policies: readonly PolicyInfo[],
  packLevel: EnforcementLevel,
  json: unknown,
  file = "(policy config)",
): Map<string, ResolvedPolicyConfig> {
  const given = parse(file, json);
  const result = new Map<string, ResolvedPolicyConfig>();
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
      if ("default" in s) properties[k] = structuredClone(s.default);
    }
    result.set(p.name, { enforcementLevel: p.enforcementLevel ?? packLevel, properties });
  }
  const all = given.get("all")?.enforcementLevel;
  if (all) for (const r of result.values()) r.enforcementLevel = all;
  for (const [name, entry] of given) {
    const r = result.get(name);
    // The CLI forwards entries for unknown names; the pack ignores them. So do we.
    if (!r) continue;
    if (entry.enforcementLevel) r.enforcementLevel = entry.enforcementLevel;
    Object.assign(r.properties, entry.properties ?? {});
  }
  const problems: string[] = [];
  for (const p of policies) {
    if (!p.configSchema) continue;
    problems.push(
      ...validate(p.configSchema, result.get(p.name)!.properties).map((e) => `${p.name}: ${e}`),
    );
  }
  if (problems.length > 0) throw new PolicyConfigError(file, problems);
  return result;
}

type Schema = Record<string, unknown>;

/** The JSON-schema subset our policies' configSchemas use (type, enum, bounds, items, required). */
function validate(schema: PolicyConfigSchema, props: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const r of schema.required ?? []) if (!(r in props)) errors.push(`${r} is required`);
  for (const [k, v] of Object.entries(props)) {
    const s = schema.properties[k] as Schema | undefined;
    if (s) errors.push(...check(k, s, v));
  }
  return errors;
}

function check(path: string, s: Schema, v: unknown): string[] {
  const t = s.type as string | undefined;
  const typeOk =
    t === undefined ||
    (t === "string" && typeof v === "string") ||
    (t === "number" && typeof v === "number") ||
    (t === "integer" && Number.isInteger(v)) ||
    (t === "boolean" && typeof v === "boolean") ||
    (t === "array" && Array.isArray(v)) ||
    (t === "object" && v !== null && typeof v === "object" && !Array.isArray(v));
  if (!typeOk) return [`${path}: invalid type, expected ${t}, given ${JSON.stringify(v)}`];
  const errors: string[] = [];
  if (Array.isArray(s.enum) && !s.enum.includes(v)) {
    errors.push(`${path}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum)
      errors.push(`${path}: must be >= ${s.minimum}`);
    if (typeof s.maximum === "number" && v > s.maximum)
      errors.push(`${path}: must be <= ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems)
      errors.push(`${path}: must have at least ${s.minItems} items`);
    const items = s.items as Schema | undefined;
    if (items) v.forEach((x, i) => errors.push(...check(`${path}.${i}`, items, x)));
  }
  return errors;
}
