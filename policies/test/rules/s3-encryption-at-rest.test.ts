import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "s3-encryption-at-rest";

describe(POLICY, () => {
  // Only prod has the S3 replica.
  itPassesOnTheRealStacks(
    POLICY,
    { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
    { dev: /no S3 buckets/, staging: /no S3 buckets/ },
  );

  it("fails when the encryption configuration sets no default algorithm", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "storage-replica-encryption", { rules: [{ bucketKeyEnabled: true }] }),
    });
    expectViolation(result);
  });
});
