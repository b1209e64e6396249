import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "upstash-encryption-at-rest";

describe(POLICY, () => {
  // The Prod Pack costs $200/month; dev and staging hold no real user data.
  itPassesOnTheRealStacks(POLICY, { dev: "disabled", staging: "disabled", prod: "mandatory" });

  it("fails without the Prod Pack", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "cache-redis", { prodPack: false }),
    });
    expectViolation(result);
  });
});
