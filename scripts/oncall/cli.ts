import { routes } from "../../components/oncall";
import { stackAlerts, stackJobs, type Severity } from "../../observability/alerts";
import { MUTED_SEVERITIES, PRIORITIES, SOURCES } from "../../observability/escalation";
import { BURN_SEVERITY } from "../../observability/slos";
import { resolveStackConfig } from "../../stacks/load";
import type { StackConfig } from "../../stacks/schema";
import { ConfigError } from "../../stacks/errors";
import { exitCodeOf, parseOptions, stackFileConfig, UsageError } from "../lib/cli";

export const USAGE = `Usage: npm run oncall -- --stack <dev|staging|prod> [--config-file <file>]

  --stack <name>          Stack whose paging design to print; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>    A file in Pulumi.<stack>.yaml format to read instead.

Prints, for every alert, where it goes: the PagerDuty service and urgency, the escalation, the
mute timing and the email channel. Computed from the same config and code as the program.
Exit codes: 0 success; 2 invalid configuration or usage.`;

/** Sources that exist only where the stack has what raises them. */
const present: Record<string, (c: StackConfig) => boolean> = {
  "edge-health": (c) => c.monitoring.healthChecks.enabled,
  "replication-failure": (c) => c.storage.replica.enabled,
};

/** One alert's destination, as `npm run oncall` prints it. */
export interface Destination {
  alert: string;
  source: string;
  severity: Severity;
  priority: string;
  service: string;
  urgency: string;
  escalation: string;
  muted: string;
  email: boolean;
}

/** Where every alert of `stack` goes. */
export function destinations(stack: string, config: StackConfig): Destination[] {
  const o = config.oncall;
  const rs = routes(o);
  const chain = o.escalation
    .map((l, i) => `L${i + 1} ${l.targets.join(" + ")} (${l.delayMinutes} min)`)
    .join(" → ");
  const mutes = o.maintenance.map((w) => `ara-${stack}-${w.name}`).join(", ");
  const row = (alert: string, source: string, severity: Severity): Destination => {
    const r = rs.find((x) => x.severity === severity);
    const priority = o.routing[severity];
    const grafana = source === "grafana";
    return {
      alert,
      source,
      severity,
      priority: priority ? `${priority} ${PRIORITIES[priority as "P0"].name}` : "-",
      service: r ? `ara-${stack}-${r.urgency}-urgency` : "(no page)",
      urgency: r?.urgency ?? "-",
      // PagerDuty never escalates a low-urgency incident.
      escalation: r ? (r.urgency === "high" ? chain : "on-call notified, no escalation") : "-",
      // Mute timings are Grafana's: they hold Grafana's notifications only.
      muted: grafana && MUTED_SEVERITIES.includes(severity) && mutes ? mutes : "-",
      email: o.email || o.pagerduty === "none",
    };
  };
  const alerts = stackAlerts(
    config.observability.alerting,
    "grafana",
    stackJobs(stack),
    config.observability.runbookBaseUrl,
  );
  return [
    ...(config.observability.grafana.enabled
      ? alerts.map((a) => row(a.name, "grafana", a.severity))
      : []),
    // Grafana's SLO plugin raises burn-rate alerts with these severities (observability/slos.ts).
    ...(config.observability.grafana.enabled && config.observability.grafana.slos
      ? Object.entries(BURN_SEVERITY).map(([kind, sev]) => row(`SLO ${kind}`, "grafana", sev))
      : []),
    ...SOURCES.filter((s) => present[s.id]?.(config) ?? true).map((s) =>
      row(s.name, s.path, s.severity),
    ),
  ];
}

export function render(stack: string, config: StackConfig): string {
  const rows = destinations(stack, config);
  const head = [
    "alert",
    "source",
    "severity",
    "priority",
    "service",
    "urgency",
    "escalation",
    "muted by",
    "email",
  ];
  const cells = rows.map((d) => [
    d.alert,
    d.source,
    d.severity,
    d.priority,
    d.service,
    d.urgency,
    d.escalation,
    d.muted,
    d.email ? "yes" : "no",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const o = config.oncall;
  const windows = o.maintenance
    .map(
      (w) =>
        `  ara-${stack}-${w.name}: ${w.weekdays.join(", ")}${w.daysOfMonth ? ` on days ${w.daysOfMonth.join(", ")}` : ""}, ${w.start}–${w.end} UTC (warnings only)`,
    )
    .join("\n");
  return [
    `On-call for stack '${stack}': PagerDuty ${o.pagerduty}${o.pagerduty === "none" ? " (email only)" : ""}`,
    o.pagerduty === "none"
      ? ""
      : `Rotation: weekly over ${o.rotation.users.join(", ")} from ${o.rotation.start}`,
    `Maintenance windows:${windows ? `\n${windows}` : " none"}`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    "",
  ]
    .filter((l, i) => l !== "" || i > 2)
    .join("\n");
}

/** Prints the stack's paging design; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const values = parseOptions(
      argv,
      { stack: { type: "string" }, "config-file": { type: "string" } },
      USAGE,
    );
    if (!values.stack) throw new UsageError(`--stack is required.\n\n${USAGE}`);
    const raw = stackFileConfig(values.stack, values["config-file"]);
    const config = resolveStackConfig(raw, { stack: values.stack, offline: true });
    process.stdout.write(render(values.stack, config));
    return 0;
  }, [ConfigError]);
}
