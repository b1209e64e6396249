import type { PolicyResource } from "@pulumi/policy";
import { label, refersTo } from "./define";
import { S3_BUCKET_TYPES } from "./types";

export function s3Buckets(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => S3_BUCKET_TYPES.includes(r.type));
}

/** The stack's resources of `types` that configure `bucket` (through its `bucket` input). */
export function configuring(
  resources: readonly PolicyResource[],
  bucket: PolicyResource,
  types: readonly string[],
): PolicyResource[] {
  return resources.filter(
    (r) => types.includes(r.type) && refersTo(r, bucket, "bucket", ["bucket", "id"]),
  );
}

/**
 * Checks each S3 bucket for a companion resource (policy, versioning, ...): reports buckets
 * without one, and companions whose settings are wrong (`check` returns the problem).
 */
export function eachBucket(
  resources: readonly PolicyResource[],
  types: readonly string[],
  what: string,
  check: (companion: PolicyResource) => string | undefined,
  report: (problem: string) => void,
  exempt: readonly string[] = [],
): number {
  const buckets = s3Buckets(resources).filter((b) => !exempt.includes(b.name));
  for (const bucket of buckets) {
    const companions = configuring(resources, bucket, types);
    if (companions.length === 0) {
      report(`${label(bucket)} has no ${what}.`);
      continue;
    }
    const problems = companions.map(check).filter((p): p is string => p !== undefined);
    if (problems.length === companions.length) {
      for (const p of problems) report(`${label(bucket)}: ${p}`);
    }
  }
  return buckets.length;
}
