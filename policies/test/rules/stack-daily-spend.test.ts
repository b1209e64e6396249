import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setConfig,
} from "../harness/real-graph";

const POLICY = "stack-daily-spend";

describe(POLICY, () => {
  // ARA sets the daily ceiling for production only (docs/architecture.md).
  itPassesOnTheRealStacks(POLICY, { dev: "disabled", staging: "disabled", prod: "mandatory" });

  it("fails prod with 20 more Vercel seats", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setConfig(g, "usage", { vercelSeats: 20 }),
    });
    expectViolation(result, { message: /\/day/ });
  });
});
