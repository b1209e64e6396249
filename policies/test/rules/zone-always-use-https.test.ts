import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "zone-always-use-https";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when the zone does not redirect to HTTPS", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-always-use-https", { value: "off" }),
    });
    expectViolation(result);
  });
});
