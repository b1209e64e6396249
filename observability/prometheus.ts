import { stringify } from "yaml";
import { duration, SEVERITIES, type StackAlert } from "./alerts";

/**
 * A stack's alerts as a Prometheus rules file (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
 * one group per severity, evaluated at the stack's interval, every rule labelled `severity`
 * (the label on-call routes on) and annotated with its summary and runbook. `npm run alerts`
 * prints it; promtool checks and unit-tests it (tests/alerts).
 */
export function prometheusRules(
  stack: string,
  alerts: readonly StackAlert[],
  evaluationIntervalSeconds: number,
): string {
  const groups = SEVERITIES.map((severity) => ({
    name: `ara-${stack}-${severity}`,
    interval: duration(evaluationIntervalSeconds),
    rules: alerts
      .filter((a) => a.severity === severity)
      .map((a) => ({
        alert: a.name,
        expr: a.expr,
        ...(a.forSeconds > 0 && { for: duration(a.forSeconds) }),
        labels: { severity: a.severity, stack, alert_id: a.id },
        annotations: { summary: a.summary, runbook_url: a.runbookUrl },
      })),
  })).filter((g) => g.rules.length > 0);
  return stringify({ groups }, { lineWidth: 0 });
}
