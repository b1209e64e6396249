/**
 * ARA's cost alerts (docs/architecture.md, "Requirements"), written once. The presets put them in
 * each stack's `budget` section, where the plan-time policies (policies/rules/stack-daily-spend.ts,
 * stack-monthly-budget.ts, `costSpike` in policies/evaluate.ts) and the runtime spend alerts
 * (components/monitoring: AWS Budgets) both read them; `costSpike` falls back to the spike
 * threshold here where it compares two saved plans without a stack config.
 */
export const COST_ALERTS = {
  /** "Daily spend over $20 (production)". */
  prodDailyUsd: 20,
  /** "Monthly spend over 80% of budget". */
  monthlyPercent: 80,
  /** "Unexpected spikes over 50%". */
  spikePercent: 50,
} as const;
