import { createHash } from "node:crypto";

/**
 * Physical-name rules per provider resource kind. Names are `ara-<stack>-<name>`, lowercased
 * and stripped to the provider's alphabet; a name longer than the limit keeps its start and
 * gains a short hash of the full name, so two long names never collide after truncation.
 */
export const NAME_RULES = {
  /** R2: 3–63 chars, lowercase letters, digits, hyphens. */
  r2Bucket: { max: 63, invalid: /[^a-z0-9-]+/g },
  /** S3: 3–63 chars, lowercase letters, digits, hyphens (we avoid dots: they break TLS to virtual hosts). */
  s3Bucket: { max: 63, invalid: /[^a-z0-9-]+/g },
  /** Workers script names: lowercase letters, digits, hyphens, underscores, up to 63. */
  workerScript: { max: 63, invalid: /[^a-z0-9_-]+/g },
  /** Queues: letters, digits, hyphens, up to 63. */
  queue: { max: 63, invalid: /[^a-z0-9-]+/g },
  /** PlanetScale database names: lowercase letters, digits, hyphens; kept short. */
  planetscaleDatabase: { max: 32, invalid: /[^a-z0-9-]+/g },
  /** Upstash database names. */
  upstashDatabase: { max: 60, invalid: /[^a-z0-9-]+/g },
  /** Vercel project names: lowercase, up to 100, letters, digits, . _ - */
  vercelProject: { max: 100, invalid: /[^a-z0-9._-]+/g },
  /** Cloudflare health checks: alphanumerics, - and _. */
  healthcheck: { max: 100, invalid: /[^a-z0-9_-]+/g },
  /** SNS topics, AWS budgets and the like. */
  aws: { max: 64, invalid: /[^a-z0-9_-]+/g },
  /** Anything without tighter rules. */
  generic: { max: 63, invalid: /[^a-z0-9-]+/g },
} as const satisfies Record<string, { max: number; invalid: RegExp }>;

export type NameKind = keyof typeof NAME_RULES;

/** Builds physical names for one stack: `names.physical("reports", "r2Bucket")` → `ara-prod-reports`. */
export interface Namer {
  readonly project: string;
  readonly stack: string;
  physical(name: string, kind?: NameKind): string;
}

export function namer(project: string, stack: string): Namer {
  return {
    project,
    stack,
    physical: (name, kind = "generic") => physicalName(project, stack, name, kind),
  };
}

export function physicalName(
  project: string,
  stack: string,
  name: string,
  kind: NameKind = "generic",
): string {
  const rule = NAME_RULES[kind];
  const full = `${project}-${stack}-${name}`
    .toLowerCase()
    .replace(rule.invalid, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (full.length <= rule.max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  return `${full.slice(0, rule.max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
