import * as pulumi from "@pulumi/pulumi";
import { RuleGroup } from "@pulumiverse/grafana/alerting/ruleGroup";
import { Folder } from "@pulumiverse/grafana/oss/folder";
import { SLO } from "@pulumiverse/grafana/slo/slo";
import type * as grafana from "@pulumiverse/grafana/types/input";
import { duration, SEVERITIES, type StackAlert } from "../../observability/alerts";
import { BURN_SEVERITY, SLOS } from "../../observability/slos";
import type { ExpressionContext } from "../../observability/alerts";
import { AraComponent } from "../component";

/** Settings of the `GrafanaAlerting` component. */
export interface GrafanaAlertingArgs {
  /** The stack's alerts, with Grafana expressions (observability/alerts.ts `stackAlerts`). */
  alerts: StackAlert[];
  /** How often each rule group is evaluated. */
  evaluationIntervalSeconds: number;
  /** UID of the Grafana Cloud stack's Prometheus data source, e.g. `grafanacloud-prom`. */
  datasourceUid: pulumi.Input<string>;
  /** Grafana SLOs for the two objectives (observability/slos.ts). */
  slos: boolean;
  /** The `job` labels the SLO queries select. */
  jobs: ExpressionContext;
  /** Where docs/runbooks.md is published. */
  runbookBaseUrl: string;
}

/**
 * The `GrafanaAlerting` component puts a stack's alerts into Grafana Cloud: a folder of its own
 * (`ARA <stack>`), so environments sharing one Grafana Cloud stack stay apart, holding one
 * Grafana-managed rule group per severity and, where the stack wants them, the two SLOs. Every
 * rule carries the `severity` label on-call routes on.
 *
 * #### Minimal example
 * ```ts
 * new GrafanaAlerting("alerting", { alerts, evaluationIntervalSeconds: 60,
 *   datasourceUid: "grafanacloud-prom", slos: true, jobs: stackJobs("prod"),
 *   runbookBaseUrl: "https://github.com/org/ara-infra/blob/main" }, { provider: grafanaStack });
 * ```
 */
export class GrafanaAlerting extends AraComponent {
  /** UID of the stack's folder. */
  public readonly folderUid: pulumi.Output<string>;
  /** Names of the rule groups, one per severity present. */
  public readonly ruleGroups: pulumi.Output<string[]>;

  constructor(name: string, args: GrafanaAlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:observability:GrafanaAlerting", name, opts);

    const folder = this.createFolder();
    const groups = this.createRuleGroups(folder, args);
    if (args.slos) this.createSlos(folder, args);

    this.folderUid = folder.uid;
    this.ruleGroups = pulumi.all(groups.map((g) => g.name));
    this.registerOutputs({ folderUid: this.folderUid, ruleGroups: this.ruleGroups });
  }

  private createFolder(): Folder {
    return new Folder(
      this.child("folder"),
      {
        title: `ARA ${pulumi.getStack()}`,
        uid: this.physical("alerts", "generic"),
        // Deleting the folder would delete the rules in it: refuse while it holds any.
        preventDestroyIfNotEmpty: true,
      },
      { parent: this },
    );
  }

  private createRuleGroups(folder: Folder, args: GrafanaAlertingArgs): RuleGroup[] {
    return SEVERITIES.flatMap((severity) => {
      const alerts = args.alerts.filter((a) => a.severity === severity);
      if (alerts.length === 0) return [];
      return [
        new RuleGroup(
          this.child(`rules-${severity}`),
          {
            name: this.physical(severity, "generic"),
            folderUid: folder.uid,
            intervalSeconds: args.evaluationIntervalSeconds,
            rules: alerts.map((a) => grafanaRule(a, args.datasourceUid)),
          },
          { parent: this },
        ),
      ];
    });
  }

  private createSlos(folder: Folder, args: GrafanaAlertingArgs): void {
    for (const slo of SLOS) {
      const runbook = `${args.runbookBaseUrl.replace(/\/$/, "")}/docs/runbooks.md#${slo.runbook}`;
      const burn = (kind: keyof typeof BURN_SEVERITY) => ({
        labels: [{ key: "severity", value: BURN_SEVERITY[kind] }],
        annotations: [{ key: "runbook_url", value: runbook }],
      });
      new SLO(
        this.child(`slo-${slo.id}`),
        {
          name: `ARA ${pulumi.getStack()}: ${slo.name}`,
          description: slo.description,
          folderUid: folder.uid,
          destinationDatasource: { uid: args.datasourceUid },
          objectives: [{ value: slo.objective, window: slo.window }],
          queries: [
            {
              type: "ratio",
              ratio: {
                successMetric: slo.successMetric(args.jobs),
                totalMetric: slo.totalMetric(args.jobs),
              },
            },
          ],
          labels: [
            { key: "stack", value: pulumi.getStack() },
            { key: "slo", value: slo.id },
          ],
          alerting: {
            labels: [{ key: "stack", value: pulumi.getStack() }],
            fastburn: burn("fastburn"),
            slowburn: burn("slowburn"),
          },
        },
        { parent: this },
      );
    }
  }
}

/**
 * One catalog alert as a Grafana-managed rule: query A (instant PromQL), B reduces it to its
 * last value, C compares B with the threshold. Grafana keeps `refId`, `intervalMs` and
 * `maxDataPoints` in each model; writing them avoids a permanent diff
 * (grafana/terraform-provider-grafana#948).
 */
export function grafanaRule(
  a: StackAlert,
  datasourceUid: pulumi.Input<string>,
): grafana.alerting.RuleGroupRule {
  const expr = { type: "__expr__", uid: "__expr__" };
  return {
    name: a.name,
    condition: "C",
    for: duration(a.forSeconds),
    // No traffic means no ratio: that is not an incident. A missing probe series is, so the
    // liveness alert keeps Grafana's default (a NoData alert).
    noDataState: a.id === "application-down" ? "NoData" : "OK",
    execErrState: "Error",
    labels: { severity: a.severity, stack: pulumi.getStack(), alert_id: a.id },
    annotations: { summary: a.summary, runbook_url: a.runbookUrl },
    datas: [
      {
        refId: "A",
        datasourceUid,
        relativeTimeRange: { from: 600, to: 0 },
        model: JSON.stringify({
          refId: "A",
          expr: a.value,
          instant: true,
          intervalMs: 1000,
          maxDataPoints: 43200,
        }),
      },
      {
        refId: "B",
        datasourceUid: "__expr__",
        relativeTimeRange: { from: 0, to: 0 },
        model: JSON.stringify({
          refId: "B",
          type: "reduce",
          expression: "A",
          reducer: "last",
          datasource: expr,
        }),
      },
      {
        refId: "C",
        datasourceUid: "__expr__",
        relativeTimeRange: { from: 0, to: 0 },
        model: JSON.stringify({
          refId: "C",
          type: "threshold",
          expression: "B",
          datasource: expr,
          conditions: [{ evaluator: { type: a.comparator, params: [a.threshold] } }],
        }),
      },
    ],
  };
}
