import { describeSpec, drop } from "../harness/real-graph";

const POLICY = "zone-tls-settings-present";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when the zone does not declare tls_1_3", (g) => drop(g, "edge-tls-1-3"), {
    message: /does not declare tls_1_3/,
  });
});
