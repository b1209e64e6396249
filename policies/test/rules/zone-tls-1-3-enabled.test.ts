import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "zone-tls-1-3-enabled";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when TLS 1.3 is off", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-tls-1-3", { value: "off" }),
    });
    expectViolation(result);
  });

  it("fails on 0-RTT (zrt)", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-tls-1-3", { value: "zrt" }),
    });
    expectViolation(result);
  });
});
