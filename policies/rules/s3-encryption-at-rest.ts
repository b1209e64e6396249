import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, label, stackRule, type RuleMeta } from "../lib/define";
import { S3_ENCRYPTION_TYPES } from "../lib/types";
import { eachBucket } from "../lib/s3-links";

const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

export const meta: RuleMeta = {
  name: "s3-encryption-at-rest",
  description: "Every S3 bucket must declare default server-side encryption (AES256 or aws:kms).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    'Attach an aws.s3.BucketServerSideEncryptionConfiguration with rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }].',
};

/**
 * Requirement (docs/architecture.md) "AES-256 for data at rest". S3 has encrypted new objects with SSE-S3 by default
 * since 2023, but declaring it pins the setting and makes it reviewable.
 * @severity high
 */
export function s3EncryptionAtRest(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const n = eachBucket(
      args.resources,
      S3_ENCRYPTION_TYPES,
      "server-side encryption configuration",
      (c) => {
        const algorithms = asArray(c.props.rules).map(
          (r) => asObject(asObject(r)?.applyServerSideEncryptionByDefault)?.sseAlgorithm,
        );
        return algorithms.some((a) => typeof a === "string" && ALGORITHMS.includes(a))
          ? undefined
          : `${label(c)} sets no default algorithm (${ALGORITHMS.join(", ")}).`;
      },
      (problem) => report(problem),
    );
    if (n === 0) args.notApplicable("the stack has no S3 buckets");
  });
}
