import { describe, expect, it } from "vitest";
import { seconds } from "../../rules/observability-alerts-complete";
import { T } from "../../lib/types";
import { ADVISORY_IN_DEV, describeSpec, drop, type Graph } from "../harness/real-graph";

const POLICY = "observability-alerts-complete";

/** Rewrites prod's rule for `id` in its rule group. */
function editRule(g: Graph, id: string, edit: (rule: Record<string, any>) => void): void {
  for (const r of g.resources.filter((x) => x.type === T.grafanaRuleGroup)) {
    for (const rule of r.props.rules as Record<string, any>[])
      if (rule.labels.alert_id === id) edit(rule);
  }
}

describeSpec(POLICY, { levels: ADVISORY_IN_DEV }, (fails) => {
  fails("fails when prod loses an alert", (g) =>
    editRule(g, "cache-hit-rate", (r) => (r.labels.alert_id = "something-else")),
  );
  fails("fails when an alert is weaker than the requirement's severity", (g) =>
    editRule(g, "error-rate", (r) => (r.labels.severity = "warning")),
  );
  fails("fails when an alert waits longer than the requirement's window", (g) =>
    editRule(g, "error-rate", (r) => (r.for = "10m")),
  );
  fails("fails when error tracking is off", (g) => drop(g, "errors-key"));
  fails("fails when the worker's logs are not shipped", (g) => drop(g, "logs-workers"));
  fails("fails when the app exports no telemetry", (g) =>
    drop(g, "app-env-otel-exporter-otlp-headers"),
  );
});

describe("seconds()", () => {
  it("reads Prometheus durations", () => {
    expect([
      seconds("5m"),
      seconds("1h30m"),
      seconds("24h"),
      seconds("0s"),
      seconds(undefined),
    ]).toEqual([300, 5400, 86_400, 0, 0]);
    expect(seconds("five minutes")).toBeUndefined();
  });
});
