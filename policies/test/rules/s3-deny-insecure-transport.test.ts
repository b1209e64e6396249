import { describe, it } from "vitest";
import {
  drop,
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "s3-deny-insecure-transport";

describe(POLICY, () => {
  // Only prod has the S3 replica.
  itPassesOnTheRealStacks(
    POLICY,
    { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
    { dev: /no S3 buckets/, staging: /no S3 buckets/ },
  );

  it("fails when the replica has no bucket policy", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "storage-replica-policy") });
    expectViolation(result, { message: /has no bucket policy/ });
  });

  it("fails when the bucket policy lacks the aws:SecureTransport condition", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "storage-replica-policy", {
          policy: JSON.stringify({
            Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["a", "a/*"] }],
          }),
        }),
    });
    expectViolation(result);
  });
});
