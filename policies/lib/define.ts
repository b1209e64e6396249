import {
  UnknownValueError,
  type EnforcementLevel,
  type PolicyConfigSchema,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type Severity,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";

/** What every policy in the pack declares; `remediation` is also the default fix in messages. */
export interface RuleMeta {
  /** kebab-case, unique in the pack. */
  name: string;
  /** One sentence: what must hold. The analyzer prefixes every violation with it. */
  description: string;
  /** The level when no policy config says otherwise: the production level. */
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  /** How to fix a violation, in terms of this repository. */
  remediation: string;
  configSchema?: PolicyConfigSchema;
}

/** Reports one violation; `fix` overrides the rule's remediation hint for this case. */
export type Report = (problem: string, fix?: string) => void;

/** A violation at a level other than the configured one (e.g. the budget's advisory warning). */
export type ReportAt = (level: EnforcementLevel, problem: string, fix?: string) => void;

function message(problem: string, fix: string): string {
  return `${problem}\nFix: ${fix}`;
}

function reporter(meta: RuleMeta, report: ReportViolation): Report {
  return (problem, fix) => report(message(problem, fix ?? meta.remediation));
}

function reporterAt(meta: RuleMeta, report: ReportViolation): ReportAt {
  // The object form (policy SDK ≥ 1.20) carries its own level. Its message is not prefixed
  // with the description by the SDK, so prefix it here to read like every other violation.
  return (level, problem, fix) =>
    (report as unknown as (v: object) => void)({
      message: `${meta.description}\n${message(problem, fix ?? meta.remediation)}`,
      enforcementLevel: level,
    });
}

function base(meta: RuleMeta) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediation,
    ...(meta.configSchema ? { configSchema: meta.configSchema } : {}),
  };
}

/**
 * A resource policy for one or more type tokens. With a single type the function carries
 * `__pulumiType`, which lets the analyzer skip other resources without calling it.
 */
export function resourceRule<C extends object = Record<string, never>>(
  meta: RuleMeta,
  types: string | readonly string[] | ((type: string) => boolean),
  validate: (args: ResourceValidationArgs, report: Report, config: C) => void | Promise<void>,
  extra: Partial<Pick<ResourceValidationPolicy, "remediateResource">> = {},
): ResourceValidationPolicy {
  const list = typeof types === "string" ? [types] : types;
  const applies = typeof list === "function" ? list : (t: string) => list.includes(t);
  const fn = (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!applies(args.type)) return;
    return validate(args, reporter(meta, report), args.getConfig<C>());
  };
  if (typeof list !== "function" && list.length === 1) {
    (fn as unknown as { __pulumiType: string }).__pulumiType = list[0]!;
  }
  return { ...base(meta), validateResource: fn, ...extra };
}

export function stackRule<C extends object = Record<string, never>>(
  meta: RuleMeta,
  validate: (
    args: StackValidationArgs,
    report: Report,
    config: C,
    reportAt: ReportAt,
  ) => void | Promise<void>,
): StackValidationPolicy {
  return {
    ...base(meta),
    validateStack: (args, report) =>
      validate(args, reporter(meta, report), args.getConfig<C>(), reporterAt(meta, report)),
  };
}

/**
 * Reads a value that may be unknown during a preview; `undefined` when it is. Use it only
 * where "unknown" can safely mean "cannot link", never to skip a check on the value itself
 * (reading that directly lets the analyzer report "can't run during preview").
 */
export function whenKnown<V>(read: () => V): V | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** A short label for messages: the resource's logical name and type's last segment. */
export function label(r: { name: string; type: string }): string {
  const kind = r.type.split(":").pop() ?? r.type;
  return `${kind} '${r.name}'`;
}

/**
 * Whether `child` refers to `parent`: through its recorded dependencies (implicit ones from
 * Output inputs included), or, failing that, through an input equal to one of the parent's
 * identifying values (e.g. an S3 bucket name). With `anyDependency: false` only `field`
 * counts (its property dependency or its value): for a child that depends on the parent for
 * some other input.
 */
export function refersTo(
  child: PolicyResource,
  parent: PolicyResource,
  field: string,
  parentKeys: readonly string[],
  { anyDependency = true }: { anyDependency?: boolean } = {},
): boolean {
  if (anyDependency && child.dependencies.some((d) => d.urn === parent.urn)) return true;
  if ((child.propertyDependencies[field] ?? []).some((d) => d.urn === parent.urn)) return true;
  const value = whenKnown(() => child.props[field]);
  if (typeof value !== "string" || value === "") return false;
  return parentKeys.some((k) => whenKnown(() => parent.props[k]) === value);
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
