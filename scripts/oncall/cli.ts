import { existsSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { routes } from "../../components/oncall";
import { PROJECT, ROOT } from "../../offline/engine";
import { readStackFile, StackFileError } from "../../offline/stack-file";
import { stackAlerts, stackJobs, type Severity } from "../../observability/alerts";
import { MUTED_SEVERITIES, PRIORITIES, SOURCES } from "../../observability/escalation";
import { BURN_SEVERITY } from "../../observability/slos";
import { ConfigError } from "../../stacks/errors";
import { resolveStackConfig } from "../../stacks/load";
import type { StackConfig } from "../../stacks/schema";

export const USAGE = `Usage: npm run oncall -- --stack <dev|staging|prod> [--config-file <file>]

  --stack <name>          Stack whose paging design to print; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>    A file in Pulumi.<stack>.yaml format to read instead.

Prints, for every alert, where it goes: the PagerDuty service and urgency, the escalation, the
mute timing and the email channel. Computed from the same config and code as the program.
Exit codes: 0 success; 2 invalid configuration or usage.`;

class UsageError extends Error {}

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
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parse(argv);
    const file = args.configFile ?? path.join(ROOT, `Pulumi.${args.stack}.yaml`);
    if (!existsSync(file)) {
      throw new UsageError(
        `There is no ${path.relative(ROOT, file) || file}: pass a known stack (dev, staging, prod) with --stack, or a settings file with --config-file.`,
      );
    }
    const { config: raw } = readStackFile(file, PROJECT);
    const config = resolveStackConfig(raw, { stack: args.stack, offline: true });
    process.stdout.write(render(args.stack, config));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StackFileError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function parse(argv: string[]): { stack: string; configFile?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { stack: { type: "string" }, "config-file": { type: "string" } },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (!values.stack) throw new UsageError(`--stack is required.\n\n${USAGE}`);
  return { stack: values.stack, configFile: values["config-file"] };
}
