import { describe, it } from "vitest";
import {
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
  type Graph,
} from "../harness/real-graph";

const POLICY = "vercel-api-rate-limit";

/** The firewall's per-IP rule for clients that reach Vercel directly. */
const directRule = (g: Graph) =>
  (
    find(g, "app-firewall").props.rules as {
      rules: { name: string; action: { action: string; rateLimit: { limit: number } } }[];
    }
  ).rules.find((r) => r.name === "api-direct-rate-limit")!;

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "advisory", staging: "mandatory", prod: "mandatory" });

  it("fails when the rule denies instead of rate-limiting", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => (directRule(g).action.action = "deny"),
    });
    expectViolation(result);
  });

  it("fails at 1000 requests per minute", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => (directRule(g).action.rateLimit.limit = 1000),
    });
    expectViolation(result);
  });
});
