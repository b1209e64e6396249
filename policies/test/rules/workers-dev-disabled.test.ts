import { describe, it } from "vitest";
import {
  drop,
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "workers-dev-disabled";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "advisory", staging: "mandatory", prod: "mandatory" });

  it("fails when workers.dev is on", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "worker-workers-dev", { enabled: true }),
    });
    expectViolation(result);
  });

  it("fails when nothing pins workers.dev off", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "worker-workers-dev") });
    expectViolation(result, { message: /no WorkersScriptSubdomain/ });
  });
});
