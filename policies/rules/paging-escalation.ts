import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export interface PagingEscalationConfig {
  /** Levels every paging service's escalation policy must have. */
  minLevels?: number;
}

export const meta: RuleMeta = {
  name: "paging-escalation",
  description:
    "Every PagerDuty service has an escalation policy with at least two levels, each paging someone.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Give ara:oncall.escalation at least two levels (on-call, then the matrix's roles: observability/escalation.ts escalationLevels), each with targets.",
  configSchema: { properties: { minLevels: { type: "integer", minimum: 1, default: 2 } } },
};

/**
 * A page that on-call misses must reach someone else: one level is a single point of failure.
 * @severity high
 */
export function pagingEscalation(): StackValidationPolicy {
  return stackRule<PagingEscalationConfig>(meta, (args, report, config) => {
    const services = args.resources.filter((r) => r.type === T.pagerdutyService);
    if (services.length === 0) args.notApplicable("the stack has no PagerDuty service");
    const policies = args.resources.filter((r) => r.type === T.pagerdutyEscalationPolicy);
    const min = config.minLevels ?? 2;
    for (const s of services) {
      const policy = policies.find((p) => refersTo(s, p, "escalationPolicy", ["id"]));
      if (!policy) {
        report(`${label(s)} has no escalation policy in this stack.`);
        continue;
      }
      const rules = asArray(policy.props.rules) as Record<string, unknown>[];
      if (rules.length < min) {
        report(
          `${label(s)}: its escalation policy ${label(policy)} has ${rules.length} level(s); at least ${min} are required.`,
        );
      }
      rules.forEach((r, i) => {
        if (asArray(r.targets).length === 0)
          report(`${label(policy)}: level ${i + 1} pages nobody.`);
      });
    }
  });
}
