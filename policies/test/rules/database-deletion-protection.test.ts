import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "database-deletion-protection";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "disabled", staging: "disabled", prod: "mandatory" });

  it("fails when the database has deletion protection off", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "database-postgres", { deletionProtected: false }),
    });
    expectViolation(result);
  });
});
