import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "vercel-sensitive-credentials";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on a credential that is not sensitive", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "app-env-jwt-secret", { sensitive: false }),
    });
    expectViolation(result, { message: /JWT_SECRET/ });
  });
});
