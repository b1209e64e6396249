import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "database-connection-tls";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on sslmode=require", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "app-env-database-url", { value: "postgresql://u:p@h/db?sslmode=require" }),
    });
    expectViolation(result, { message: /sslmode=require/ });
  });

  it("fails on a Postgres URL without sslmode", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "app-env-database-url", { value: "postgres://u:p@h/db" }),
    });
    expectViolation(result, { message: /sslmode=\(unset\)/ });
  });

  it("fails on a plain redis:// URL", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "app-env-redis-url", { value: "redis://default:p@h:6379" }),
    });
    expectViolation(result);
  });
});
