import type { ResourceValidationPolicy } from "@pulumi/policy";
import { checkResource, formatViolation, todayUtc } from "../../preflight/check";
import type { ContextSource } from "../context";
import { resourceRule, type RuleMeta } from "../lib/define";

export const meta: RuleMeta = {
  name: "provider-preflight",
  description:
    "Every argument the program sets must be one the provider's API accepts (preflight/rules: names, enumerations, formats, ranges and plan limits, each with its source).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Change the argument as the violation's fix says; if the provider's rule changed, update preflight/rules with its source (docs/preflight.md).",
};

/**
 * The offline plan's promise is that a reviewer without credentials learns what `pulumi
 * preview` would refuse. This checks each resource's inputs against the provider rule table
 * (preflight/), reading plan-dependent limits from the stack's config; a type with no table
 * entry is a violation, so a new tier cannot slip in unchecked. Unknown values (outputs not
 * known during a preview) are skipped per argument, never guessed.
 * @severity high
 */
export function providerPreflight(context: ContextSource): ResourceValidationPolicy {
  return resourceRule(
    meta,
    () => true,
    (args, report) => {
      const ctx = { config: context().config, today: todayUtc() };
      const { violations } = checkResource(
        { type: args.type, name: args.name, inputs: args.props },
        ctx,
      );
      for (const v of violations) {
        const [problem, fix] = formatViolation(v).split("\nFix: ");
        report(problem!, fix);
      }
    },
  );
}
