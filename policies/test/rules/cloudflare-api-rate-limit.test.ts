import { expect, it } from "vitest";
import { ADVISORY_IN_DEV, describeSpec, drop, find, runPolicy } from "../harness/real-graph";

const POLICY = "cloudflare-api-rate-limit";

// dev's zone is on the Free plan: 17 requests per 10 s is its closest rule to 100/min.
describeSpec(POLICY, { levels: ADVISORY_IN_DEV }, (fails) => {
  fails(
    "fails at 1000 requests per minute",
    (g) => {
      const rules = find(g, "edge-rate-limit").props.rules as {
        ratelimit: { requestsPerPeriod: number };
      }[];
      rules[0]!.ratelimit.requestsPerPeriod = 1000;
    },
    { message: /1000\/min/ },
  );

  fails("fails without a rate-limit ruleset", (g) => drop(g, "edge-rate-limit"));

  it("only warns in dev", async () => {
    const dev = await runPolicy(POLICY, {
      stack: "dev",
      mutate: (g) => drop(g, "edge-rate-limit"),
    });
    expect(dev.violations.map((v) => v.level)).toEqual(["advisory"]);
  });
});
