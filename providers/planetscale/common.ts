// Helpers shared by the PlanetScale providers: settings, credentials, input checks, diffs.
// Serialized with the provider: functions and plain data only (regular expressions are built
// inside functions, no module-level objects with methods).
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_BASE_URL, type ClientSettings, type Credentials } from "./client";
import type { PollSettings } from "./wait";

/** How the Pulumi engine spells a value that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

/** Tunables of a provider instance, captured (as plain data) when the provider is serialized. */
export interface ProviderOptions {
  /** API base URL; default https://api.planetscale.com/v1. */
  baseUrl?: string;
  /** Delay between readiness polls; default 10 s. */
  pollIntervalMs?: number;
  /** Give up waiting for `ready` after this long; default 30 min. */
  readyTimeoutMs?: number;
  /** Tries for 429/5xx/network failures; default 4. */
  maxAttempts?: number;
  /** First retry delay, doubled per retry; default 1 s. */
  retryBaseMs?: number;
  /** Per-request timeout; default 60 s. */
  requestTimeoutMs?: number;
}

export interface ProviderSettings {
  client: ClientSettings;
  poll: PollSettings;
}

export function resolveSettings(options: ProviderOptions): ProviderSettings {
  return {
    client: {
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    },
    poll: {
      intervalMs: options.pollIntervalMs ?? 10_000,
      timeoutMs: options.readyTimeoutMs ?? 30 * 60_000,
    },
  };
}

/** The methods of a provider that call the API. */
export type ApiMethods = Required<
  Pick<pulumi.dynamic.ResourceProvider<Props, Props>, "create" | "read" | "update" | "delete">
>;

/**
 * A provider factory: `check` and `diff` are the resource's pure input check and diff; `methods`
 * builds the methods that call the API from the settings the factory's options resolve to.
 */
export function defineProvider(
  check: (news: Props) => pulumi.dynamic.CheckResult,
  diff: (olds: Props, news: Props) => pulumi.dynamic.DiffResult,
  methods: (s: ProviderSettings) => ApiMethods,
): (options?: ProviderOptions) => pulumi.dynamic.ResourceProvider<Props, Props> {
  return (options = {}) => ({
    async check(_olds, news) {
      return check(news);
    },

    async diff(_id, olds, news) {
      return diff(olds, news);
    },

    ...methods(resolveSettings(options)),
  });
}

/**
 * The service token for a call: from the resource's inputs/state, else from the provider host's
 * environment. The fallback matters for delete/read of a resource whose state lacks the token
 * (e.g. recorded by a create that failed to initialize).
 */
export function credentialsFrom(props: object, purpose: string): Credentials {
  const fromProps = (key: string): string | undefined => {
    const v = (props as Props)[key];
    return typeof v === "string" && v !== "" && v !== UNKNOWN ? v : undefined;
  };
  const tokenId = fromProps("serviceTokenId") ?? process.env["PLANETSCALE_SERVICE_TOKEN_ID"];
  const token = fromProps("serviceToken") ?? process.env["PLANETSCALE_SERVICE_TOKEN"];
  if (!tokenId || !token) {
    throw new Error(
      `No PlanetScale service token to ${purpose}. Set \`pulumi config set --secret` +
        ` ara:planetscaleServiceTokenId ...\` and \`ara:planetscaleServiceToken ...\` and run` +
        ` \`pulumi up\`, or export PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN.`,
    );
  }
  return { tokenId, token };
}

/** Drops undefined values: protobuf Structs (the engine's wire format) cannot carry them. */
export function compact<T extends object>(obj: T): T {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Returns a copy without the given keys (used to keep secrets out of init-failure state). */
export function omit(obj: object, keys: readonly string[]): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k) && v !== undefined) out[k] = v;
  return out;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Input checks (the provider's `check`). Reasons never echo credential values.

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface Checker {
  news: Props;
  inputs: Props;
  failures: CheckFailure[];
}

export function newChecker(news: Props): Checker {
  return { news: news ?? {}, inputs: {}, failures: [] };
}

function unknown(c: Checker, key: string): boolean {
  if (c.news[key] === UNKNOWN) {
    c.inputs[key] = UNKNOWN;
    return true;
  }
  return false;
}

export interface StringRule {
  required?: boolean;
  /** Full-match pattern source. */
  pattern?: string;
  /** What a valid value looks like, for the failure reason. */
  hint?: string;
  maxLength?: number;
  /** Never echo the value in reasons. */
  secret?: boolean;
  default?: string;
}

export function checkString(c: Checker, key: string, rule: StringRule): void {
  if (unknown(c, key)) return;
  const value = c.news[key];
  if (value === undefined || value === null || value === "") {
    if (rule.default !== undefined) c.inputs[key] = rule.default;
    else if (rule.required) c.failures.push({ property: key, reason: `${key} is required.` });
    return;
  }
  if (typeof value !== "string") {
    c.failures.push({ property: key, reason: `${key} must be a string.` });
    return;
  }
  const shown = rule.secret ? "" : ` (got "${value}")`;
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    c.failures.push({
      property: key,
      reason: `${key} must be at most ${rule.maxLength} characters${shown}.`,
    });
    return;
  }
  if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(value)) {
    c.failures.push({
      property: key,
      reason: `${key} is not valid${shown}${rule.hint ? `: ${rule.hint}` : "."}`,
    });
    return;
  }
  c.inputs[key] = value;
}

export interface IntegerRule {
  required?: boolean;
  min?: number;
  max?: number;
  hint?: string;
  /** Extra rule, e.g. replicas may not be 1. Returns a reason when invalid. */
  refine?: (n: number) => string | undefined;
}

export function checkInteger(c: Checker, key: string, rule: IntegerRule): void {
  if (unknown(c, key)) return;
  const value = c.news[key];
  if (value === undefined || value === null) {
    if (rule.required) c.failures.push({ property: key, reason: `${key} is required.` });
    return;
  }
  const fail = (why: string) =>
    c.failures.push({
      property: key,
      reason: `${key} ${why} (got ${JSON.stringify(value)})${rule.hint ? `: ${rule.hint}` : "."}`,
    });
  if (typeof value !== "number" || !Number.isInteger(value)) return void fail("must be an integer");
  if (rule.min !== undefined && value < rule.min) return void fail(`must be >= ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) return void fail(`must be <= ${rule.max}`);
  const refined = rule.refine?.(value);
  if (refined) return void fail(refined);
  c.inputs[key] = value;
}

export function checkBoolean(c: Checker, key: string, fallback?: boolean): void {
  if (unknown(c, key)) return;
  const value = c.news[key];
  if (value === undefined || value === null) {
    if (fallback !== undefined) c.inputs[key] = fallback;
    return;
  }
  if (typeof value !== "boolean") {
    c.failures.push({ property: key, reason: `${key} must be true or false.` });
    return;
  }
  c.inputs[key] = value;
}

export function checkEnum(
  c: Checker,
  key: string,
  allowed: readonly string[],
  required: boolean,
): void {
  if (unknown(c, key)) return;
  const value = c.news[key];
  if (value === undefined || value === null) {
    if (required) c.failures.push({ property: key, reason: `${key} is required.` });
    return;
  }
  if (typeof value !== "string" || !allowed.includes(value)) {
    c.failures.push({
      property: key,
      reason: `${key} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)}).`,
    });
    return;
  }
  c.inputs[key] = value;
}

/** A list of enum values; normalized (sorted, deduplicated) so diffs ignore order. */
export function checkEnumList(c: Checker, key: string, allowed: readonly string[]): void {
  if (unknown(c, key)) return;
  const value = c.news[key];
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    c.failures.push({ property: key, reason: `${key} must be a list.` });
    return;
  }
  if (value.includes(UNKNOWN)) {
    c.inputs[key] = value;
    return;
  }
  const bad = value.filter((v) => typeof v !== "string" || !allowed.includes(v));
  if (bad.length > 0) {
    c.failures.push({
      property: key,
      reason: `${key} contains ${JSON.stringify(bad)}; allowed: ${allowed.join(", ")}.`,
    });
    return;
  }
  c.inputs[key] = [...new Set(value as string[])].sort();
}

/** Service token inputs: required, never echoed. */
export function checkCredentials(c: Checker): void {
  const hint = "set ara:planetscaleServiceTokenId / ara:planetscaleServiceToken (secret config).";
  for (const key of ["serviceTokenId", "serviceToken"]) {
    if (unknown(c, key)) continue;
    const value = c.news[key];
    if (typeof value !== "string" || value.trim() === "") {
      c.failures.push({ property: key, reason: `${key} is required: ${hint}` });
    } else if (/\s/.test(value)) {
      c.failures.push({ property: key, reason: `${key} must not contain whitespace.` });
    } else {
      c.inputs[key] = value;
    }
  }
}

/** Name rules shared by organizations, databases and branches. */
export function slugRule(required: boolean): StringRule {
  return {
    required,
    pattern: "[a-z0-9][a-z0-9_-]*",
    maxLength: 64,
    hint: "use lowercase letters, digits, '-' or '_', starting with a letter or digit.",
  };
}

export function postgresClusterSizeRule(required: boolean): StringRule {
  return {
    required,
    pattern:
      "PS_(?:DEV|[0-9]+)_(?:AWS|GCP)_(?:ARM|X86|AMD)" +
      "|M[0-9]+_[0-9]+_(?:AWS|GCP)_(?:ARM|X86|AMD|INTEL)_D_METAL_[0-9]+",
    hint:
      "PlanetScale Postgres needs a qualified SKU such as PS_10_AWS_ARM or PS_DEV_AWS_ARM" +
      " (Vitess names like PS_10 or PS-40 are not accepted); list them with" +
      " GET /organizations/{org}/cluster-size-skus?engine=postgresql.",
  };
}

export function replicasRule(required: boolean): IntegerRule {
  return {
    required,
    min: 0,
    max: 16,
    hint: "use 0 for a single node (non-HA) or 2 or more for high availability.",
    refine: (n) => (n === 1 ? "may not be 1" : undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// Diffs.

export interface DiffSpec {
  /** Inputs whose change requires a new PlanetScale resource. */
  replace: readonly string[];
  /** Inputs changed in place by `update` (including credentials: rotation is not a replace). */
  update: readonly string[];
  /**
   * Keys that name the resource. A replacement that keeps all of them the same cannot create the
   * new resource next to the old one (the name is taken), so the old one is deleted first.
   * Empty when the API keys the resource by a generated id (no clash possible).
   */
  identity: readonly string[];
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compares old outputs with new inputs. A key absent from the new inputs means "server default"
 * and is not a change; an unknown value (preview) counts as a change.
 */
export function diffProps(olds: Props, news: Props, spec: DiffSpec): DiffOutcome {
  const changed = (key: string): boolean => {
    const next = news[key];
    if (next === undefined) return false;
    if (next === UNKNOWN) return true;
    return !same(olds[key], next);
  };
  const replaces = spec.replace.filter(changed);
  const updates = spec.update.filter(changed);
  // New provider code is an update (which only re-reads unless settings drifted), so state
  // stores the new code and later refreshes and deletes run it instead of the old one.
  const oldCode = olds["__provider"];
  const newCode = news["__provider"];
  if (typeof oldCode === "string" && typeof newCode === "string" && oldCode !== newCode) {
    updates.push("__provider");
  }
  const identityKept =
    spec.identity.length > 0 && spec.identity.every((k) => !changed(k) && news[k] !== undefined);
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && identityKept,
  };
}
