import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors";
import { PRESETS, type Preset } from "./presets";
import { ENVIRONMENTS, StackConfig, STRUCTURED_KEYS } from "./schema";
import { OFFLINE_SECRET_PLACEHOLDER, SECRETS, type SecretName, type SecretSpec } from "./secrets";

/** The project's config namespace: keys are `ara:<name>`. */
export const NAMESPACE = "ara";

/** Flat string keys: identity of the stack. Declared with types in Pulumi.yaml. */
export const IDENTITY_KEYS = [
  "environment",
  "domain",
  "cloudflareAccountId",
  "cloudflareZoneId",
  "vercelTeam",
  "planetscaleOrganization",
  "upstashEmail",
  "awsRegion",
  "grafanaStackSlug",
  "grafanaStackId",
  "grafanaRegion",
  "grafanaOtlpUrl",
  "grafanaSmUrl",
  "sentryOrganization",
] as const;
const ACCOUNT_KEYS = IDENTITY_KEYS.filter((k) => k !== "environment" && k !== "domain");

const SECRET_KEYS: readonly string[] = Object.values(SECRETS).map((s) => s.key);
const KNOWN_KEYS: readonly string[] = [
  ...IDENTITY_KEYS,
  ...STRUCTURED_KEYS.filter((k) => k !== "accounts"),
  ...SECRET_KEYS,
];

export interface LoadOptions {
  /** The stack name, used in messages and fix commands. */
  stack: string;
  /**
   * True only for the offline plan and tests: placeholder identifiers are accepted and
   * missing secrets get fake stand-ins. A real `pulumi up` or `preview` refuses both.
   */
  offline: boolean;
}

/**
 * Reads the stack's `ara:*` config from Pulumi, applies the environment preset and validates
 * the result. Throws ConfigError, naming every bad key and its fix, before any resource
 * exists. Secrets are not part of the result: see {@link loadSecrets}.
 */
export function loadStackConfig(options: LoadOptions): StackConfig {
  return resolveStackConfig(pulumi.runtime.allConfig(), options);
}

/**
 * The pure core of {@link loadStackConfig}: `raw` is Pulumi's flattened config map
 * (`ara:database` → JSON text), as the language host passes it.
 */
export function resolveStackConfig(
  raw: Readonly<Record<string, string>>,
  options: LoadOptions,
): StackConfig {
  const { stack } = options;
  const problems: ConfigProblem[] = [];
  const values = new Map<string, string>();

  for (const [fullKey, value] of Object.entries(raw)) {
    const [ns, ...rest] = fullKey.split(":");
    if (ns !== NAMESPACE) continue;
    const key = rest.join(":");
    if (!KNOWN_KEYS.includes(key)) {
      problems.push({
        key: fullKey,
        problem: `is not a setting of this project${suggest(key, KNOWN_KEYS)}`,
        fix: `remove it with \`pulumi config rm ${fullKey} --stack ${stack}\`, or correct the name (the keys are documented in Pulumi.yaml and docs/configuration.md)`,
      });
      continue;
    }
    values.set(key, value);
  }

  const environment = values.get("environment");
  if (environment === undefined) {
    problems.push({
      key: "ara:environment",
      problem: "is required: it selects the dev, staging or prod preset",
      fix: `pulumi config set ara:environment <${ENVIRONMENTS.join("|")}> --stack ${stack}`,
    });
    throw new ConfigError(stack, problems);
  }
  const preset: Preset | undefined = (PRESETS as Record<string, Preset>)[environment];
  if (!preset) {
    problems.push({
      key: "ara:environment",
      problem: `must be one of ${ENVIRONMENTS.join(", ")}; got "${environment}"`,
      fix: `pulumi config set ara:environment <${ENVIRONMENTS.join("|")}> --stack ${stack}`,
    });
    throw new ConfigError(stack, problems);
  }

  const candidate: Record<string, unknown> = structuredClone(preset) as Record<string, unknown>;
  candidate.environment = environment;
  candidate.domain = values.get("domain");
  candidate.accounts = Object.fromEntries(ACCOUNT_KEYS.map((k) => [k, values.get(k)]));

  for (const key of STRUCTURED_KEYS) {
    const text = values.get(key);
    if (text === undefined) continue;
    const parsed = parseStructured(text);
    if (!isPlainObject(parsed)) {
      problems.push({
        key: `ara:${key}`,
        problem: `must be a map of settings (see docs/configuration.md); got ${describe(parsed)}`,
        fix: `set individual fields with \`pulumi config set --path 'ara:${key}.<field>' <value> --stack ${stack}\``,
      });
      continue;
    }
    candidate[key] = deepMerge(candidate[key], parsed);
  }

  const result = StackConfig.safeParse(candidate);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => toProblem(issue, stack, candidate)));
  }
  if (problems.length > 0) throw new ConfigError(stack, problems);
  const config = result.data as StackConfig;

  if (!options.offline) {
    const placeholders = findPlaceholders(config);
    if (placeholders.length > 0) {
      throw new ConfigError(
        stack,
        placeholders.map(({ key, value }) => ({
          key,
          problem: `still holds the placeholder "${value}"; a real run needs the real value`,
          fix: `${setCommand(key, stack)} (placeholders are accepted only by \`npm run plan\`)`,
        })),
      );
    }
  }
  return config;
}

/**
 * Resolves every credential: encrypted stack config first, then the environment. A missing
 * one fails a real run with the exact command that supplies it. The offline plan always
 * gets obviously fake stand-ins, so it never touches a real credential. Every value is a
 * secret Output either way.
 */
export function loadSecrets(
  options: LoadOptions,
  config?: StackConfig,
): Record<SecretName, pulumi.Output<string>> {
  const raw = pulumi.runtime.allConfig();
  const encrypted = new Set(Object.keys(raw).filter((k) => isConfigSecret(k)));
  const values = resolveSecrets(raw, encrypted, process.env, options, config);
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, pulumi.secret(value)]),
  ) as Record<SecretName, pulumi.Output<string>>;
}

/** The pure core of {@link loadSecrets}. `encrypted` lists the config keys stored as `secure:`. */
export function resolveSecrets(
  raw: Readonly<Record<string, string>>,
  encrypted: ReadonlySet<string>,
  env: Readonly<Record<string, string | undefined>>,
  options: LoadOptions,
  /** The stack's config: a credential of an integration it turns off may be absent. */
  config?: StackConfig,
): Record<SecretName, string> {
  const problems: ConfigProblem[] = [];
  const out = {} as Record<SecretName, string>;
  for (const [name, spec] of Object.entries(SECRETS) as [SecretName, SecretSpec][]) {
    const key = `${NAMESPACE}:${spec.key}`;
    const fromConfig = raw[key];
    if (fromConfig !== undefined && !encrypted.has(key)) {
      problems.push({
        key,
        problem: "is stored in plain text in the stack file; credentials must be encrypted",
        fix: `pulumi config set --secret ${key} <value> --stack ${options.stack}`,
      });
      continue;
    }
    if (options.offline) {
      out[name] = OFFLINE_SECRET_PLACEHOLDER;
      continue;
    }
    const value = fromConfig ?? env[spec.env];
    if (value !== undefined && value !== "") {
      out[name] = value;
    } else if (config && spec.neededWhen && !spec.neededWhen(config)) {
      // The integration is off: nothing will use it, and its provider is never created.
      out[name] = "";
    } else {
      problems.push({
        key,
        problem: `is missing: ${spec.purpose}`,
        fix: `pulumi config set --secret ${key} <value> --stack ${options.stack}  (or export ${spec.env})`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(options.stack, problems);
  return out;
}

/** Values that are clearly stand-ins: all-zero IDs, "placeholder", and RFC 2606 example domains. */
export function isPlaceholder(value: string): boolean {
  return (
    /^0+$/.test(value) ||
    /placeholder/i.test(value) ||
    /(^|[.@])example(\.(com|net|org))?$/i.test(value)
  );
}

function findPlaceholders(config: StackConfig): { key: string; value: string }[] {
  const found: { key: string; value: string }[] = [];
  const check = (key: string, value: string) => {
    if (isPlaceholder(value)) found.push({ key, value });
  };
  check("ara:domain", config.domain);
  for (const [k, v] of Object.entries(config.accounts)) check(`ara:${k}`, v);
  config.monitoring.alertEmails.forEach((email, i) =>
    check(`ara:monitoring.alertEmails[${i}]`, email),
  );
  check("ara:observability.runbookBaseUrl", new URL(config.observability.runbookBaseUrl).hostname);
  return found;
}

function toProblem(
  issue: z.core.$ZodIssue,
  stack: string,
  candidate: Record<string, unknown>,
): ConfigProblem {
  const path = issue.path.map(String);
  // accounts.* are flat keys in the stack file; everything else is a path into a map.
  const key =
    path[0] === "accounts" && path.length > 1 ? `ara:${path[1]}` : `ara:${formatPath(path)}`;
  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(lookup(PRESETS.prod, path) ?? {});
    return {
      key,
      problem: `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"${suggest(k, known)}`).join(", ")}`,
      fix: issue.keys
        .map((k) => `pulumi config rm --path '${key}.${k}' --stack ${stack}`)
        .join("; "),
    };
  }
  const got = lookup(candidate, path);
  const problem =
    got === undefined ? "is required but not set" : `${plainMessage(issue)}; got ${describe(got)}`;
  return { key, problem, fix: setCommand(key, stack) };
}

/** The schema's own message, or for zod's default range messages the same in plain words. */
function plainMessage(issue: z.core.$ZodIssue): string {
  if (
    (issue.code === "too_small" || issue.code === "too_big") &&
    /^Too (small|big):/.test(issue.message)
  ) {
    const small = issue.code === "too_small";
    const bound = Number(small ? issue.minimum : issue.maximum);
    const inclusive = issue.inclusive !== false;
    const limit = small
      ? inclusive
        ? `at least ${bound}`
        : `more than ${bound}`
      : inclusive
        ? `at most ${bound}`
        : `less than ${bound}`;
    if (issue.origin === "array" || issue.origin === "set") return `must list ${limit} item(s)`;
    if (issue.origin === "string") return `must be ${limit} character(s) long`;
    return `must be ${limit}`;
  }
  return issue.message.replace(/^Invalid input: /, "");
}

function setCommand(key: string, stack: string): string {
  const isPath = key.includes(".") || key.includes("[");
  return isPath
    ? `pulumi config set --path '${key}' <value> --stack ${stack}`
    : `pulumi config set ${key} <value> --stack ${stack}`;
}

function formatPath(path: readonly string[]): string {
  return path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function lookup(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const p of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

function parseStructured(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Maps merge key by key; arrays, scalars and null replace. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

function describe(v: unknown): string {
  if (typeof v === "string") return `"${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a map";
  return String(v);
}

function suggest(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const best = known
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 4))
    ? ` (did you mean "${best.k}"?)`
    : "";
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Pulumi marks which config keys arrived encrypted; that list is internal to the SDK. */
function isConfigSecret(key: string): boolean {
  const internal = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret?: (k: string) => boolean;
  };
  return internal.isConfigSecret ? internal.isConfigSecret(key) : true;
}
