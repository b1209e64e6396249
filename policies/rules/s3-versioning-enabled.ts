import type { StackValidationPolicy } from "@pulumi/policy";
import { asObject, label, stackRule, type RuleMeta } from "../lib/define";
import { S3_VERSIONING_TYPES } from "../lib/types";
import { eachBucket } from "../lib/s3-links";

export interface VersioningConfig {
  /** Logical names of buckets that hold only disposable data (e.g. canary artifacts). */
  exemptBuckets?: string[];
}

export const meta: RuleMeta = {
  name: "s3-versioning-enabled",
  description: "S3 buckets must have versioning enabled (the report replica keeps every version).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    'Attach an aws.s3.BucketVersioning with versioningConfiguration: { status: "Enabled" }, or list a bucket of disposable data under exemptBuckets in policies/config/<env>.json.',
  configSchema: {
    properties: { exemptBuckets: { type: "array", items: { type: "string" }, default: [] } },
  },
};

/**
 * Requirement (docs/architecture.md) "Storage: object versioning enabled" and "Restore from versioned objects": R2 has
 * no versioning, so the versioned S3 replica is where old versions live.
 * @severity high
 */
export function s3VersioningEnabled(): StackValidationPolicy {
  return stackRule<VersioningConfig>(meta, (args, report, config) => {
    const n = eachBucket(
      args.resources,
      S3_VERSIONING_TYPES,
      "versioning configuration",
      (v) => {
        const status = asObject(v.props.versioningConfiguration)?.status;
        return status === "Enabled"
          ? undefined
          : `${label(v)} has status ${JSON.stringify(status ?? null)}.`;
      },
      (problem) => report(problem),
      config.exemptBuckets ?? [],
    );
    if (n === 0) args.notApplicable("the stack has no S3 buckets that must be versioned");
  });
}
