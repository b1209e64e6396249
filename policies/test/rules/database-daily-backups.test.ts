import { describe, it } from "vitest";
import {
  drop,
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "database-daily-backups";

describe(POLICY, () => {
  // dev's seed requirement is weekly backups: its config relaxes the interval and the level.
  itPassesOnTheRealStacks(POLICY, { dev: "advisory", staging: "mandatory", prod: "mandatory" });

  it("fails on weekly backups", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "database-backups", { frequencyUnit: "week" }),
    });
    expectViolation(result, { message: /every 168 h/ });
  });

  it("fails on 3 days' retention", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "database-backups", { retentionValue: 3 }),
    });
    expectViolation(result);
  });

  it("fails without a backup policy", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "database-backups") });
    expectViolation(result, { message: /no backup policy/ });
  });
});
