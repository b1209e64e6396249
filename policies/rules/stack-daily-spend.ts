import type { StackValidationPolicy } from "@pulumi/policy";
import type { ContextSource } from "../context";
import { biggestLines, cents, estimateMonthlyCost, usd } from "../cost/estimate";
import { stackRule, type RuleMeta } from "../lib/define";

export interface DailySpendConfig {
  /** Auditor override of the stack's `ara:budget.dailyUsd`; without either the policy does not apply. */
  maxDailyUsd?: number;
}

/** Average days per month (365 / 12): a monthly figure spread evenly over the year. */
export const DAYS_PER_MONTH = 365 / 12;

export const meta: RuleMeta = {
  name: "stack-daily-spend",
  description:
    "The stack's estimated average daily cost must stay under the configured daily ceiling.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediation:
    "Reduce the biggest cost lines listed, or change ara:budget.dailyUsd (stacks/presets.ts) with the budget owner's approval.",
  configSchema: { properties: { maxDailyUsd: { type: "number", minimum: 0 } } },
};

/**
 * The required alert (docs/architecture.md) "Daily usage > $20 (production)", checked before deployment: the monthly
 * estimate divided by 365/12 days. Runtime spend alerts are the monitoring component's job.
 * @severity medium
 */
export function stackDailySpend(context: ContextSource): StackValidationPolicy {
  return stackRule<DailySpendConfig>(meta, (args, report, config) => {
    const ctx = context();
    if (!ctx.config) {
      report(
        `Cannot estimate the stack's cost: ${ctx.error ?? "its ara:* config is unavailable"}.`,
      );
      return;
    }
    // The stack's ara:budget.dailyUsd, one source with the runtime daily AWS budget; the policy
    // config may override it.
    const max = config.maxDailyUsd ?? ctx.config.budget.dailyUsd;
    if (max === null) {
      return args.notApplicable(
        "no ara:budget.dailyUsd for this stack and no maxDailyUsd in its policy config",
      );
    }
    const estimate = estimateMonthlyCost(
      args.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props })),
      { usage: ctx.config.usage, cloudflarePlan: ctx.config.edge.cloudflarePlan },
    );
    const daily = cents(estimate.monthlyTotal / DAYS_PER_MONTH);
    if (daily > max) {
      const top = biggestLines(estimate.lines, 3)
        .map((l) => `${l.service} ${l.item} ${usd(l.monthly)}/month`)
        .join("; ");
      report(
        `Estimated ${usd(daily)}/day (${usd(estimate.monthlyTotal)}/month ÷ ${DAYS_PER_MONTH.toFixed(2)} days) exceeds the ${usd(max)}/day ceiling. Biggest lines: ${top}.`,
      );
    }
  });
}
