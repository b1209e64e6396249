import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, resourceRule, type RuleMeta } from "../lib/define";
import { planetScaleKind } from "../lib/types";

export const meta: RuleMeta = {
  name: "database-deletion-protection",
  description: "The PlanetScale database must have PlanetScale's own deletion protection on.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Set ara:database.deletionProtection to true (the prod preset does); the Database component passes it to the provider.",
};

/**
 * A second lock beside Pulumi's `protect`: it also stops deletion from the PlanetScale
 * dashboard, CLI or API by anyone with a token.
 * @severity critical
 */
export function databaseDeletionProtection(): ResourceValidationPolicy {
  return resourceRule(
    meta,
    (t) => planetScaleKind(t) === "Database",
    (args, report) => {
      const on = args.props.deletionProtected ?? args.props.deletionProtection;
      if (on !== true) {
        report(`${label(args)} has deletion protection ${JSON.stringify(on ?? null)}.`);
      }
    },
  );
}
