import { describe, expect, it } from "vitest";
import {
  drop,
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
} from "../harness/real-graph";

const POLICY = "cloudflare-api-rate-limit";

describe(POLICY, () => {
  // dev's zone is on the Free plan: 17 requests per 10 s is its closest rule to 100/min.
  itPassesOnTheRealStacks(POLICY, { dev: "advisory", staging: "mandatory", prod: "mandatory" });

  it("fails at 1000 requests per minute", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => {
        const rules = find(g, "edge-rate-limit").props.rules as {
          ratelimit: { requestsPerPeriod: number };
        }[];
        rules[0]!.ratelimit.requestsPerPeriod = 1000;
      },
    });
    expectViolation(result, { message: /1000\/min/ });
  });

  it("fails without a rate-limit ruleset", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "edge-rate-limit") });
    expectViolation(result);
  });

  it("only warns in dev", async () => {
    const dev = await runPolicy(POLICY, {
      stack: "dev",
      mutate: (g) => drop(g, "edge-rate-limit"),
    });
    expect(dev.violations.map((v) => v.level)).toEqual(["advisory"]);
  });
});
