import type { StackValidationPolicy } from "@pulumi/policy";
import type { ContextSource } from "../context";
import { biggestLines, estimateMonthlyCost, usd } from "../cost/estimate";
import { stackRule, type RuleMeta } from "../lib/define";

export interface MonthlyBudgetConfig {
  /** Auditor override of the stack's `ara:budget.monthlyUsd`. */
  monthlyUsd?: number;
  /** Auditor override of the stack's `ara:budget.warnAtPercent`. */
  warnAtPercent?: number;
  /** How many cost lines a message lists. */
  topLines?: number;
}

export const meta: RuleMeta = {
  name: "stack-monthly-budget",
  description:
    "The stack's estimated monthly cost must stay within its budget; at or above the warning share it is flagged.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Shrink the biggest cost lines listed (sizes, Prod Pack, seats in Pulumi.<stack>.yaml), correct the usage assumptions under ara:usage, or raise ara:budget.monthlyUsd with the budget owner's approval. docs/cost.md explains every line.",
  configSchema: {
    properties: {
      monthlyUsd: { type: "number", minimum: 1 },
      warnAtPercent: { type: "integer", minimum: 1, maximum: 100 },
      topLines: { type: "integer", minimum: 1, maximum: 20, default: 5 },
    },
  },
};

/**
 * Requirement (docs/architecture.md) "Monthly Budgets" (dev $50, staging $100, prod $500) and "Monthly usage > 80% of
 * budget": the cost model (policies/cost) prices every resource under the stack's usage
 * assumptions. Over budget is a violation at the configured level; at or above
 * `warnAtPercent` it is always advisory.
 * @severity high
 */
export function stackMonthlyBudget(context: ContextSource): StackValidationPolicy {
  return stackRule<MonthlyBudgetConfig>(meta, (args, report, config, reportAt) => {
    const ctx = context();
    if (!ctx.config) {
      report(
        `Cannot estimate the stack's cost: ${ctx.error ?? "its ara:* config is unavailable"}.`,
        "Run the pack through the Pulumi CLI (which passes the stack's config) or fix the stack config the message names.",
      );
      return;
    }
    const budget = config.monthlyUsd ?? ctx.config.budget.monthlyUsd;
    const warnAt = config.warnAtPercent ?? ctx.config.budget.warnAtPercent;
    const source = config.monthlyUsd === undefined ? "ara:budget.monthlyUsd" : "policy config";
    const estimate = estimateMonthlyCost(
      args.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props })),
      { usage: ctx.config.usage, cloudflarePlan: ctx.config.edge.cloudflarePlan },
    );
    for (const u of estimate.unpriced) {
      report(
        `The estimate is incomplete: ${u.type} (${u.urn}) is not priced: ${u.reason}.`,
        u.reason,
      );
    }
    const total = estimate.monthlyTotal;
    const percent = (total / budget) * 100;
    const top = biggestLines(estimate.lines, config.topLines ?? 5)
      .map((l) => `  - ${l.service} ${l.item}: ${usd(l.monthly)} (${l.basis})`)
      .join("\n");
    const summary = `Estimated ${usd(total)}/month is ${percent.toFixed(0)}% of the ${usd(budget)} budget of stack '${ctx.stack}' (${source}).\nBiggest lines:\n${top}`;
    if (total > budget) {
      report(`Over budget by ${usd(total - budget)}. ${summary}`);
    } else if (percent >= warnAt) {
      reportAt(
        "advisory",
        `At or above the ${warnAt}% warning threshold (${usd((budget * warnAt) / 100)}). ${summary}`,
      );
    }
  });
}
