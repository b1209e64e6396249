import type { StackValidationPolicy } from "@pulumi/policy";
import { label, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { eachBucket } from "../lib/s3-links";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const meta: RuleMeta = {
  name: "s3-public-access-blocked",
  description: "Every S3 bucket must have a public access block with all four settings on.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Attach an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
};

/**
 * Reports are private (requirement, docs/architecture.md: "Signed URLs: secure access through Cloudflare Worker"); the
 * replica must not become a public side door. All four flags default to false.
 * @severity critical
 */
export function s3PublicAccessBlocked(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const n = eachBucket(
      args.resources,
      [T.s3PublicAccessBlock],
      "public access block",
      (b) => {
        const off = FLAGS.filter((f) => b.props[f] !== true);
        return off.length === 0 ? undefined : `${label(b)} leaves ${off.join(", ")} off.`;
      },
      (problem) => report(problem),
    );
    if (n === 0) args.notApplicable("the stack has no S3 buckets");
  });
}
