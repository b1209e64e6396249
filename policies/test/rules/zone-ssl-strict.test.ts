import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "zone-ssl-strict";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on full TLS without certificate validation", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-ssl", { value: "full" }),
    });
    expectViolation(result);
  });
});
