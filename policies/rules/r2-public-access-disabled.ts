import type { StackValidationPolicy } from "@pulumi/policy";
import { label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "r2-public-access-disabled",
  description:
    "R2 buckets must not be public: r2.dev access pinned off (R2ManagedDomain enabled = false) and no custom public domain.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Give each bucket an R2ManagedDomain with enabled: false and remove any R2CustomDomain; reports are served only through the signer worker's signed URLs.",
};

/**
 * Requirement (docs/architecture.md) "Signed URLs: secure access through Cloudflare Worker": a public domain would serve
 * every report to anyone who guesses a key.
 * @severity critical
 */
export function r2PublicAccessDisabled(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const buckets = args.resources.filter((r) => r.type === T.r2Bucket);
    if (buckets.length === 0) args.notApplicable("the stack has no R2 buckets");
    for (const bucket of buckets) {
      const of = (type: string) =>
        args.resources.filter(
          (r) => r.type === type && refersTo(r, bucket, "bucketName", ["name"]),
        );
      const managed = of(T.r2ManagedDomain);
      if (managed.length === 0) {
        report(`${label(bucket)} has no R2ManagedDomain pinning r2.dev access off.`);
      }
      for (const m of managed) {
        if (m.props.enabled !== false)
          report(`${label(m)} enables public r2.dev access to ${label(bucket)}.`);
      }
      for (const c of of(T.r2CustomDomain)) {
        report(`${label(c)} serves ${label(bucket)} publicly on a custom domain.`);
      }
    }
  });
}
