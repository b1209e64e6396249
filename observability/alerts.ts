/**
 * The alert catalog: ARA's alerting requirements (docs/architecture.md, "Requirements") as typed
 * data, written once and rendered twice: as Grafana-managed rule groups by
 * components/observability/alerting.ts and as a Prometheus rules file by `npm run alerts`
 * (observability/prometheus.ts), which promtool checks and unit-tests offline. Every expression
 * reads only the series app/web/telemetry.json promises, or the probe and scrape metrics that
 * Grafana Synthetic Monitoring and Prometheus add themselves.
 *
 * Which alerts a stack has, and their severity, threshold and window, are per-environment data in
 * stacks/presets.ts (`observability.alerting`); the definitions below say what each alert
 * measures, what ARA requires of it, and which thresholds make sense at all.
 */

export const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity order: a critical alert satisfies a warning requirement, not the other way round. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { warning: 1, critical: 2 };

export const ALERT_IDS = [
  "application-down",
  "error-rate",
  "response-time-critical",
  "database-connections",
  "response-time-warning",
  "cache-hit-rate",
  "storage-usage",
] as const;
export type AlertId = (typeof ALERT_IDS)[number];

/** Where an expression is evaluated: Grafana Cloud (Mimir + Synthetic Monitoring) or a plain Prometheus. */
export type Target = "grafana" | "prometheus";

/** What an expression needs to know about the stack it watches. */
export interface ExpressionContext {
  /**
   * The `job` label of the app's series: its OpenTelemetry `service.name` in Grafana Cloud (set
   * by OTEL_SERVICE_NAME), the scrape job's name in Prometheus. One per stack, so stacks that
   * share a Grafana Cloud stack never see each other's series.
   */
  appJob: string;
  /** The `job` labels of the stack's synthetic checks (Grafana Synthetic Monitoring). */
  probeJobs: readonly string[];
}

/** A stack's choice for one alert (stacks/presets.ts `observability.alerting.rules`). */
export interface AlertSetting {
  severity: Severity;
  threshold: number;
  /** How long the condition must hold before the alert fires; 0 fires at the first evaluation. */
  forSeconds: number;
}

export interface AlertDefinition {
  id: AlertId;
  /** The `alertname`: stable, because on-call routing and silences refer to it. */
  name: string;
  /** The requirement's own words. */
  requirement: string;
  /** ARA's requirement for this alert; the prod preset uses exactly these values. */
  required: AlertSetting;
  /** The fired condition is `value <comparator> threshold`. */
  comparator: "gt" | "lt";
  unit: "ratio" | "seconds";
  /** Thresholds outside this range are configuration mistakes (e.g. 90 for 90%). */
  thresholdRange: readonly [min: number, max: number];
  /** The PromQL whose value is compared with the threshold. */
  value(target: Target, ctx: ExpressionContext): string;
  /** One line for the notification; receives the stack's threshold. */
  summary(threshold: number): string;
  /** Heading slug in docs/runbooks.md (tests/alerts/catalog.test.ts resolves every one). */
  runbook: string;
}

/** Every rate in the catalog looks back this far: long enough to smooth one slow scrape. */
export const RATE_WINDOW = "5m";

const sel = (job: string, extra = "") => `{job="${job}"${extra ? `,${extra}` : ""}}`;
const requests = (ctx: ExpressionContext, extra = "") =>
  `sum(rate(ara_http_server_duration_seconds_count${sel(ctx.appJob, extra)}[${RATE_WINDOW}]))`;
const p95 = (ctx: ExpressionContext) =>
  `histogram_quantile(0.95, sum by (le) (rate(ara_http_server_duration_seconds_bucket${sel(ctx.appJob)}[${RATE_WINDOW}])))`;
const pct = (ratio: number) => `${+(ratio * 100).toFixed(2)}%`;
const ms = (seconds: number) => (seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds} s`);

/** Outside these a threshold is a slip of units: 90 meant as 90%, or 500 meant as milliseconds. */
const THRESHOLD_RANGE: Readonly<Record<AlertDefinition["unit"], readonly [number, number]>> = {
  ratio: [0, 1],
  seconds: [0.01, 60],
};

type Query = (ctx: ExpressionContext) => string;

/**
 * A catalog entry stating only what sets it apart. Unless it says otherwise an alert fires above
 * its threshold, takes its unit's threshold range, and reads the same PromQL on both targets;
 * `value` is per target only where the two really measure differently.
 */
function alert(
  spec: Omit<AlertDefinition, "comparator" | "thresholdRange" | "value"> & {
    comparator?: AlertDefinition["comparator"];
    value: Query | Readonly<Record<Target, Query>>;
  },
): AlertDefinition {
  const { value, ...rest } = spec;
  return {
    comparator: "gt",
    thresholdRange: THRESHOLD_RANGE[spec.unit],
    ...rest,
    value: (target, ctx) => (typeof value === "function" ? value : value[target])(ctx),
  };
}

export const ALERTS: readonly AlertDefinition[] = [
  alert({
    id: "application-down",
    name: "AraApplicationDown",
    requirement: "Critical: Application down (immediately)",
    required: { severity: "critical", threshold: 0.5, forSeconds: 0 },
    unit: "ratio",
    // Grafana: the share of Synthetic Monitoring probes whose last run of a check failed; with
    // three probes, more than half is two or more. Prometheus: the share of failed scrapes of the
    // app itself, the one liveness signal a plain Prometheus really has (docs/observability.md).
    value: {
      grafana: (ctx) =>
        `1 - avg by (job, instance) (probe_success{job=~"${ctx.probeJobs.join("|")}"})`,
      prometheus: (ctx) => `1 - avg by (job) (up${sel(ctx.appJob)})`,
    },
    summary: (t) =>
      `The application is down: more than ${pct(t)} of its liveness checks (/api/ready, /r2/health) failed their last run.`,
    runbook: "application-down",
  }),
  alert({
    id: "error-rate",
    name: "AraErrorRateHigh",
    requirement: "Critical: Error rate > 1% for 5 minutes",
    required: { severity: "critical", threshold: 0.01, forSeconds: 300 },
    unit: "ratio",
    value: (ctx) => `${requests(ctx, 'status_class="5xx"')} / ${requests(ctx)}`,
    summary: (t) => `More than ${pct(t)} of requests to the app answer 5xx.`,
    runbook: "error-rate-high",
  }),
  alert({
    id: "response-time-critical",
    name: "AraResponseTimeCritical",
    requirement: "Critical: Response time > 2 s for 10 minutes",
    required: { severity: "critical", threshold: 2, forSeconds: 600 },
    unit: "seconds",
    value: p95,
    summary: (t) => `The app's P95 response time is above ${ms(t)}.`,
    runbook: "response-time-high",
  }),
  alert({
    id: "database-connections",
    name: "AraDatabaseConnectionsHigh",
    requirement: "Critical: Database connections > 90% (immediately)",
    required: { severity: "critical", threshold: 0.9, forSeconds: 0 },
    unit: "ratio",
    value: (ctx) =>
      `max by (job, instance) (ara_db_pool_connections${sel(ctx.appJob, 'state="in_use"')}) / max by (job, instance) (ara_db_pool_max${sel(ctx.appJob)})`,
    summary: (t) => `An app instance uses more than ${pct(t)} of its PostgreSQL pool.`,
    runbook: "database-connections-high",
  }),
  alert({
    id: "response-time-warning",
    name: "AraResponseTimeSlow",
    requirement: "Warning: Response time > 500 ms for 15 minutes",
    required: { severity: "warning", threshold: 0.5, forSeconds: 900 },
    unit: "seconds",
    value: p95,
    summary: (t) => `The app's P95 response time is above ${ms(t)}, its objective.`,
    runbook: "response-time-high",
  }),
  alert({
    id: "cache-hit-rate",
    name: "AraCacheHitRateLow",
    requirement: "Warning: Cache hit rate < 80% for 30 minutes",
    required: { severity: "warning", threshold: 0.8, forSeconds: 1800 },
    comparator: "lt",
    unit: "ratio",
    value: (ctx) =>
      `sum(rate(ara_cache_requests_total${sel(ctx.appJob, 'result="hit"')}[${RATE_WINDOW}])) / sum(rate(ara_cache_requests_total${sel(ctx.appJob)}[${RATE_WINDOW}]))`,
    summary: (t) => `Fewer than ${pct(t)} of session and wizard reads hit Redis.`,
    runbook: "cache-hit-rate-low",
  }),
  alert({
    id: "storage-usage",
    name: "AraReportStorageHigh",
    requirement: "Warning: Storage usage > 80% (daily)",
    // "Daily": storage grows slowly, so it must stay above the threshold a whole day to fire.
    required: { severity: "warning", threshold: 0.8, forSeconds: 86_400 },
    unit: "ratio",
    value: (ctx) =>
      `max by (job) (ara_report_storage_used_bytes${sel(ctx.appJob)}) / max by (job) (ara_report_storage_capacity_bytes${sel(ctx.appJob)})`,
    summary: (t) =>
      `Report storage is above ${pct(t)} of what the stack was planned for (ara:usage.reportStorageGb): the cost estimate is stale; raise the figure and re-run the plan.`,
    runbook: "storage-usage-high",
  }),
];

export function alertDefinition(id: AlertId): AlertDefinition {
  const def = ALERTS.find((a) => a.id === id);
  if (!def) throw new Error(`no alert "${id}" in observability/alerts.ts`);
  return def;
}

/** The requirement's settings for every alert: what prod runs. */
export function requiredSettings(): Record<AlertId, AlertSetting> {
  return Object.fromEntries(ALERTS.map((a) => [a.id, { ...a.required }])) as Record<
    AlertId,
    AlertSetting
  >;
}

/** One alert as a stack runs it: its definition, the stack's settings and its expressions. */
export interface StackAlert extends AlertSetting {
  id: AlertId;
  name: string;
  comparator: "gt" | "lt";
  summary: string;
  runbookUrl: string;
  /** The value expression, without the comparison. */
  value: string;
  /** The full condition: `(value) > threshold`. */
  expr: string;
}

export interface StackAlerting {
  evaluationIntervalSeconds: number;
  rules: Partial<Record<AlertId, AlertSetting>>;
}

/**
 * The alerts a stack runs, in catalog order, with expressions for `target`. `runbookBase` is
 * where docs/runbooks.md is published (`ara:observability.runbookBaseUrl`).
 */
export function stackAlerts(
  alerting: StackAlerting,
  target: Target,
  ctx: ExpressionContext,
  runbookBase: string,
): StackAlert[] {
  return ALERTS.flatMap((def) => {
    const setting = alerting.rules[def.id];
    if (!setting) return [];
    const value = def.value(target, ctx);
    const op = def.comparator === "gt" ? ">" : "<";
    return [
      {
        id: def.id,
        name: def.name,
        comparator: def.comparator,
        ...setting,
        summary: def.summary(setting.threshold),
        runbookUrl: `${runbookBase.replace(/\/$/, "")}/docs/runbooks.md#${def.runbook}`,
        value,
        expr: `(${value}) ${op} ${setting.threshold}`,
      },
    ];
  });
}

/** `300` → `5m`, `86400` → `24h`: units both Prometheus and Grafana accept. */
export function duration(seconds: number): string {
  if (seconds === 0) return "0s";
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** The `job` labels a stack's telemetry carries (see {@link ExpressionContext}). */
export function stackJobs(stack: string): ExpressionContext {
  return {
    appJob: `ara-${stack}-web`,
    probeJobs: [`ara-${stack}-app`, `ara-${stack}-signer`],
  };
}
