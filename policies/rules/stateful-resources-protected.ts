import type { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import type { PlanResource, Violation } from "../evaluate";
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
 * Requirement (docs/architecture.md) "Production: real user data" and the RTO table: a `pulumi destroy`, a replacement
 * or a deleted line of code must not delete data. The analyzer protocol carries `protect` but
 * not `retainOnDelete` (pulumi 3.248 AnalyzerResourceOptions); the offline plan checks
 * retainOnDelete under this same policy name from the program's registrations
 * (`retainOnDeleteViolations` below, which evaluate.ts calls).
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

/**
 * The plan-only half of the policy: the program's registrations carry `retainOnDelete`, which
 * the analyzer protocol drops. Reported at the policy's configured level (remediate has nothing
 * to rewrite, so it fails like mandatory), marked `source: "plan"` because `pulumi preview
 * --policy-pack` cannot make this check.
 */
export function retainOnDeleteViolations(
  resources: readonly PlanResource[],
  level: EnforcementLevel,
): Violation[] {
  if (level === "disabled") return [];
  return resources
    .filter((r) => isStateful(r.type) && r.retainOnDelete !== true)
    .map((r) => ({
      policy: meta.name,
      level: level === "advisory" ? "advisory" : "mandatory",
      urn: r.urn,
      message: `${meta.description}\n${label(r)} is not retained on delete: removing it from the program would delete its data.\nFix: ${meta.remediation}`,
      severity: meta.severity,
      source: "plan",
    }));
}
