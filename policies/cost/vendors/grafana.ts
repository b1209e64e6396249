import { T } from "../../lib/types";
import { grafanaCloud, sentry } from "../catalog";
import { num, rate, shareText, usd } from "../format";
import type { Ledger } from "../ledger";
import type { CostResource } from "../types";

/**
 * Grafana Cloud: the stack's share of the account's metrics, logs, traces and synthetic check
 * runs. Each usage line subtracts the stack's share of the Free tier's allowance and prices the
 * rest at Pro rates; if anything is left over, the stack also carries its share of the Pro fee.
 * Within Free, every line is $0 and says so.
 */
export function priceGrafana(ledger: Ledger): void {
  const holder = ledger.resources.find((r) => r.type === T.grafanaAccessPolicyToken);
  const checks = ledger.ofType((t) => t === T.grafanaCheck);
  const service = "Grafana Cloud";
  const { usage } = ledger;
  const terms = [];
  if (holder) {
    const series = ledger.meter(grafanaCloud.metricsSeries, usage.metricsActiveSeries ?? 0);
    const logs = ledger.meter(grafanaCloud.logs, usage.logsGbPerMonth ?? 0);
    const traces = ledger.meter(grafanaCloud.traces, usage.tracesGbPerMonth ?? 0);
    ledger.add(holder, service, "metrics (active series)", series);
    ledger.add(holder, service, "logs", logs);
    ledger.add(holder, service, "traces", traces);
    terms.push(series, logs, traces);
  }
  if (checks.length > 0) {
    const runs = ledger.meter(grafanaCloud.syntheticExecutions, checkExecutions(checks));
    ledger.spread(checks, service, "synthetic check runs", runs);
    terms.push(runs);
  }
  const payer = holder ?? checks[0];
  if (payer && terms.some((t) => t.monthly > 0)) {
    const share = usage.sharedCostShare.grafanaCloud ?? 0;
    const fee = grafanaCloud.proPlatformFee.usd;
    ledger.add(payer, service, "Pro platform fee (shared; usage above the Free tier)", {
      monthly: fee * share,
      basis: `${usd(fee)}/month ${shareText(share)}`,
    });
  }
}

/** Executions = probes × 43,200 / frequency in minutes, summed over the checks. */
function checkExecutions(checks: readonly CostResource[]): { value: number; text: string } {
  const minutes = grafanaCloud.minutesPerMonth.quantity;
  const parts = checks.map((c) => {
    const probes = Array.isArray(c.props.probes) ? c.props.probes.length : 0;
    const every = Number(c.props.frequency ?? 60_000) / 60_000;
    return {
      value: (probes * minutes) / every,
      text: `${probes} probes × ${num(minutes)} / ${num(every)} min`,
    };
  });
  return {
    value: parts.reduce((s, p) => s + p.value, 0),
    text: `(${parts.map((p) => p.text).join(" + ")})`,
  };
}

/** Sentry: the organization's Developer plan, free for one user. */
export function priceSentry(ledger: Ledger): void {
  const plan = sentry.developerPlan;
  for (const r of ledger.ofType((t) => t === T.sentryProject)) {
    ledger.add(r, "Sentry", "Developer plan", {
      monthly: plan.usd,
      basis: `${rate(plan.usd)}/month: 1 user, 5k errors and 5M spans a month, for the organization`,
    });
  }
}
