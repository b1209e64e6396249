import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setConfig,
  setProps,
} from "../harness/real-graph";

const POLICY = "zone-min-tls-version";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when the zone allows TLS 1.0", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-min-tls-version", { value: "1.0" }),
    });
    expectViolation(result);
  });

  it("fails when the stack asks for 1.3 and the zone says 1.2", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => {
        setConfig(g, "edge", { minTlsVersion: "1.3" });
        setProps(g, "edge-min-tls-version", { value: "1.2" });
      },
    });
    expectViolation(result, { message: /required minimum is "1\.3"/ });
  });
});
