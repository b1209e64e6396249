import { T } from "../../lib/types";
import { describeSpec, drop, PROD_ONLY } from "../harness/real-graph";

const POLICY = "alerts-not-email-only";

describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails(
    "fails when the alert topic has only its email subscription",
    (g) => {
      drop(g, "monitoring-alerts-pagerduty");
    },
    { message: /only subscriptions are email/ },
  );
  fails("fails when the PagerDuty subscription is turned into email", (g) => {
    const s = g.resources.find(
      (r) => r.type === T.snsSubscription && r.name === "monitoring-alerts-pagerduty",
    )!;
    s.props.protocol = "email";
  });
});
