import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, resourceRule, type RuleMeta } from "../lib/define";
import { isStateful } from "../lib/types";

export const meta: RuleMeta = {
  name: "stateful-resources-protected",
  description:
    "Stateful resources (database, branches, roles, backup policy, cache, buckets, replica versioning) must be protected, and retained on delete.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Set ara:protection.protect and ara:protection.retainOnDelete to true (the prod preset does); components pass both options to every stateful resource.",
};

/**
 * Seed 004 "Production: real user data" and the RTO table: a `pulumi destroy`, a replacement
 * or a deleted line of code must not delete data. The analyzer protocol carries `protect` but
 * not `retainOnDelete` (pulumi 3.248 AnalyzerResourceOptions); the offline plan checks
 * retainOnDelete under this same policy name from the program's registrations (evaluate.ts).
 * @severity critical
 */
export function statefulResourcesProtected(): ResourceValidationPolicy {
  return resourceRule(meta, isStateful, (args, report) => {
    if (args.opts.protect !== true) {
      report(
        `${label(args)} is not protected: \`pulumi destroy\` or a replacement would delete its data.`,
      );
    }
  });
}
