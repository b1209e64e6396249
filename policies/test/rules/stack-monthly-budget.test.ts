import { expect, it } from "vitest";
import {
  describeSpec,
  envPolicyConfig,
  evaluate,
  runPolicy,
  setConfig,
} from "../harness/real-graph";

const POLICY = "stack-monthly-budget";

// Deliberately not from lib/types.ts: T lists the types the pack knows, each of which the cost
// model must price or call free (cost-coverage.test.ts); this one stands for a type it does not know.
const UNKNOWN_TYPE = "aws:rds/instance:Instance";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails prod on a $100 budget", (g) => setConfig(g, "budget", { monthlyUsd: 100 }), {
    message: /Over budget by \$[\d,]+\.\d\d\. Estimated/,
  });

  fails(
    "fails when a billable resource has no price",
    (g) => g.resources.push({ urn: "urn:x::rds", type: UNKNOWN_TYPE, name: "rds", props: {} }),
    { message: /not priced/ },
  );

  it("fails dev on a $10 budget, at dev's mandatory level", async () => {
    const dev = await runPolicy(POLICY, {
      stack: "dev",
      mutate: (g) => setConfig(g, "budget", { monthlyUsd: 10 }),
    });
    expect(dev.violations.map((v) => v.level)).toEqual(["mandatory"]);
  });

  it("honours an auditor's override of the budget in the policy config", async () => {
    const audited = await evaluate({
      policyConfig: {
        ...envPolicyConfig("prod"),
        [POLICY]: { enforcementLevel: "mandatory", monthlyUsd: 450 },
      },
    });
    expect(audited.cost.budget).toBe(450);
    expect(audited.policies.violations.find((v) => v.policy === POLICY)!.message).toMatch(
      /\$450\.00 budget of stack 'prod' \(policy config\)/,
    );
  });
});
