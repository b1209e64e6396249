import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "s3-versioning-enabled";

describe(POLICY, () => {
  // Only prod has the S3 replica; ARA requires versioning in production (docs/architecture.md).
  itPassesOnTheRealStacks(
    POLICY,
    { dev: "advisory", staging: "advisory", prod: "mandatory" },
    { dev: /no S3 buckets/, staging: /no S3 buckets/ },
  );

  it("fails when versioning is suspended", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "storage-replica-versioning", {
          versioningConfiguration: { status: "Suspended" },
        }),
    });
    expectViolation(result);
  });
});
