import { describe, it } from "vitest";
import { drop, expectViolation, itPassesOnTheRealStacks, runPolicy } from "../harness/real-graph";

const POLICY = "zone-tls-settings-present";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when the zone does not declare tls_1_3", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "edge-tls-1-3") });
    expectViolation(result, { message: /does not declare tls_1_3/ });
  });
});
