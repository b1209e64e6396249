import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asString, label, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export interface ObservabilityConfig {
  /** Alert ids (observability/alerts.ts) the stack's Grafana rule groups must hold. */
  requiredAlerts?: string[];
  /** A Sentry key and the app's SENTRY_DSN must exist. */
  requireErrorTracking?: boolean;
  /** The app's OTLP export to Grafana Cloud (OTEL_EXPORTER_OTLP_HEADERS) must exist. */
  requireLogShipping?: boolean;
  /** The worker's logs must be shipped to the log archive (a Logpush job): where retention exceeds 7 days. */
  requireWorkerArchive?: boolean;
}

/**
 * ARA's alert requirements (docs/architecture.md, "Alerts"), restated here rather than imported
 * from the catalog: the policy checks the catalog's output against the requirement, so a
 * weakened catalog entry fails it.
 */
const REQUIRED: Readonly<Record<string, { severity: "critical" | "warning"; maxFor: number }>> = {
  "application-down": { severity: "critical", maxFor: 0 },
  "error-rate": { severity: "critical", maxFor: 300 },
  "response-time-critical": { severity: "critical", maxFor: 600 },
  "database-connections": { severity: "critical", maxFor: 0 },
  "response-time-warning": { severity: "warning", maxFor: 900 },
  "cache-hit-rate": { severity: "warning", maxFor: 1800 },
  "storage-usage": { severity: "warning", maxFor: 86_400 },
};
const RANK = { warning: 1, critical: 2 } as const;

export const meta: RuleMeta = {
  name: "observability-alerts-complete",
  description:
    "The stack's Grafana rule groups hold every required alert with at least the requirement's severity and at most its window; error tracking and log shipping are on.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Restore the alert in stacks/presets.ts (observability.alerting.rules) with the requirement's values (observability/alerts.ts `required`), and turn on ara:observability.grafana, .sentry and .logs.workerArchive.",
  configSchema: {
    properties: {
      requiredAlerts: {
        type: "array",
        items: { type: "string", enum: Object.keys(REQUIRED) },
        default: Object.keys(REQUIRED),
      },
      requireErrorTracking: { type: "boolean", default: true },
      requireLogShipping: { type: "boolean", default: true },
      requireWorkerArchive: { type: "boolean", default: true },
    },
  },
};

/** `5m`, `1h30m`, `24h`, `0s` → seconds; undefined when it is not a duration. */
export function seconds(d: unknown): number | undefined {
  const s = asString(d);
  if (s === undefined || !/^(\d+[smhdw])+$/.test(s)) return s === undefined ? 0 : undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
  return [...s.matchAll(/(\d+)([smhdw])/g)].reduce(
    (n, m) => n + Number(m[1]) * unit[m[2] as keyof typeof unit],
    0,
  );
}

const envVar = (resources: PolicyResource[], key: string) =>
  resources.some((r) => r.type === T.vercelEnvVar && r.props.key === key);

/**
 * Without these, an outage or an error burst in prod reaches nobody: the alerts are the
 * requirement, error tracking and log shipping are how on-call finds the cause.
 * @severity high
 */
export function observabilityAlertsComplete(): StackValidationPolicy {
  return stackRule<ObservabilityConfig>(meta, (args, report, config) => {
    const rules = new Map<string, { severity: string; forSeconds?: number; group: string }>();
    for (const g of args.resources.filter((r) => r.type === T.grafanaRuleGroup)) {
      for (const rule of asArray(g.props.rules) as Record<string, any>[]) {
        const id = asString(rule.labels?.alert_id);
        if (id)
          rules.set(id, {
            severity: String(rule.labels?.severity),
            forSeconds: seconds(rule.for),
            group: label(g),
          });
      }
    }
    for (const id of config.requiredAlerts ?? Object.keys(REQUIRED)) {
      const need = REQUIRED[id]!;
      const have = rules.get(id);
      if (!have) {
        report(
          `No Grafana rule group holds the alert "${id}" (ARA requires it: ${need.severity}, within ${need.maxFor} s).`,
        );
        continue;
      }
      const rank = RANK[have.severity as keyof typeof RANK] ?? 0;
      if (rank < RANK[need.severity]) {
        report(
          `${have.group}: alert "${id}" has severity "${have.severity}"; ARA requires "${need.severity}".`,
        );
      }
      if (have.forSeconds === undefined || have.forSeconds > need.maxFor) {
        report(
          `${have.group}: alert "${id}" waits ${have.forSeconds ?? "an unreadable window"} s before firing; ARA requires at most ${need.maxFor} s.`,
        );
      }
    }
    if (
      (config.requireErrorTracking ?? true) &&
      !(args.resources.some((r) => r.type === T.sentryKey) && envVar(args.resources, "SENTRY_DSN"))
    ) {
      report("Error tracking is off: no Sentry client key, or the app is not given SENTRY_DSN.");
    }
    if (
      (config.requireLogShipping ?? true) &&
      !envVar(args.resources, "OTEL_EXPORTER_OTLP_HEADERS")
    ) {
      report("Log shipping is off: the app has no OTLP export to Grafana Cloud.");
    }
    if (
      (config.requireWorkerArchive ?? true) &&
      !args.resources.some((r) => r.type === T.logpushJob)
    ) {
      report(
        "The worker's logs are not shipped to the log archive (no Logpush job): Workers Logs keeps only 7 days.",
      );
    }
  });
}
