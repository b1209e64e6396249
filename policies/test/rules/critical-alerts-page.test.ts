import { T } from "../../lib/types";
import { describeSpec, PROD_ONLY, type Graph } from "../harness/real-graph";

const POLICY = "critical-alerts-page";

/** The prod notification policy's route for `severity`. */
function route(g: Graph, severity: string): Record<string, any> {
  const tree = g.resources.find((r) => r.type === T.grafanaNotificationPolicy)!;
  const stack = (tree.props.policies as Record<string, any>[])[0]!;
  return (stack.policies as Record<string, any>[]).find((p) => p.matchers[0].value === severity)!;
}

describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails(
    "fails when a maintenance window mutes critical alerts",
    (g) => {
      route(g, "critical").muteTimings = ["ara-prod-monthly-maintenance"];
    },
    { message: /muted/ },
  );
  fails(
    "fails when critical alerts go to the low-urgency service",
    (g) => {
      route(g, "critical").contactPoint = "ara-prod-pagerduty-warning";
    },
    { message: /not a service of constant high urgency/ },
  );
  fails(
    "fails when critical alerts only reach email",
    (g) => {
      route(g, "critical").contactPoint = "ara-prod-email";
    },
    { message: /no PagerDuty integration/ },
  );
  fails("fails when the high-urgency service pages at low urgency", (g) => {
    const s = g.resources.find(
      (r) => r.type === T.pagerdutyService && r.props.name === "ara-prod-high-urgency",
    )!;
    s.props.incidentUrgencyRule = { type: "constant", urgency: "low" };
  });
  fails(
    "fails when no route matches severity=critical",
    (g) => {
      route(g, "critical").matchers = [{ label: "severity", match: "=", value: "page" }];
    },
    { message: /no route for severity=critical/ },
  );
});
