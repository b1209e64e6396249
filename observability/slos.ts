import type { ExpressionContext, Severity } from "./alerts";

/**
 * ARA's two service-level objectives (docs/architecture.md, "Observability": P95 < 500 ms and
 * errors < 0.1%) as ratio SLOs over app/web/telemetry.json's request histogram. Grafana's SLO
 * plugin turns each into recording rules and multi-window burn-rate alerts: a fast burn pages
 * (critical), a slow burn warns.
 */
export interface SloDefinition {
  id: "latency" | "availability";
  name: string;
  description: string;
  /** Share of good requests over the window. */
  objective: number;
  window: "28d";
  /** Counter selectors without rate(): Grafana's ratio query takes the raw series. */
  successMetric(ctx: ExpressionContext): string;
  totalMetric(ctx: ExpressionContext): string;
  runbook: string;
}

export const BURN_SEVERITY: Readonly<Record<"fastburn" | "slowburn", Severity>> = {
  fastburn: "critical",
  slowburn: "warning",
};

const count = (ctx: ExpressionContext, extra = "") =>
  `ara_http_server_duration_seconds_count{job="${ctx.appJob}"${extra ? `,${extra}` : ""}}`;

export const SLOS: readonly SloDefinition[] = [
  {
    id: "latency",
    name: "Response time",
    // "P95 < 500 ms" is the same statement as "95% of requests finish within 500 ms", which a
    // ratio of histogram buckets measures without estimating a quantile.
    description: "95% of requests to the app finish within 500 ms (P95 < 500 ms).",
    objective: 0.95,
    window: "28d",
    successMetric: (ctx) => `ara_http_server_duration_seconds_bucket{job="${ctx.appJob}",le="0.5"}`,
    totalMetric: (ctx) => count(ctx),
    runbook: "slo-burn-rate",
  },
  {
    id: "availability",
    name: "Errors",
    description: "At most 0.1% of requests to the app answer 5xx.",
    objective: 0.999,
    window: "28d",
    successMetric: (ctx) => count(ctx, 'status_class!="5xx"'),
    totalMetric: (ctx) => count(ctx),
    runbook: "slo-burn-rate",
  },
];
