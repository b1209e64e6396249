import { expect, it } from "vitest";
import {
  describeSpec,
  envPolicyConfig,
  expectViolation,
  find,
  PROD_ONLY,
  runPolicy,
} from "../harness/real-graph";

const POLICY = "stateful-resources-protected";

// dev and staging hold no real user data and are rebuilt from code.
describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails("fails when the cache is not protected", (g) => (find(g, "cache-redis").protect = false), {
    message: /not protected/,
  });

  it("fails when the bucket is not retained on delete (the plan's own check)", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => (find(g, "storage-bucket").retainOnDelete = false),
    });
    expectViolation(result, { message: /not retained on delete/ });
    expect(result.violations.map((v) => [v.source, v.urn.split("::").pop()])).toEqual([
      ["plan", "storage-bucket"],
    ]);
  });

  it("reports both halves at the configured level when the config makes it advisory", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        Object.assign(find(g, "cache-redis"), { protect: false, retainOnDelete: false }),
      policyConfig: { ...envPolicyConfig("prod"), [POLICY]: "advisory" },
    });
    expect(result.violations.map((v) => `${v.level} ${v.source}`)).toEqual([
      "advisory analyzer",
      "advisory plan",
    ]);
  });
});
