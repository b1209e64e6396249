import { describeSpec, drop, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

const POLICY = "s3-deny-insecure-transport";

describeSpec(POLICY, { levels: "mandatory", ...ONLY_PROD_HAS_S3 }, (fails) => {
  fails("fails when the replica has no bucket policy", (g) => drop(g, "storage-replica-policy"), {
    message: /has no bucket policy/,
  });

  fails("fails when the bucket policy lacks the aws:SecureTransport condition", (g) =>
    setProps(g, "storage-replica-policy", {
      policy: JSON.stringify({
        Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["a", "a/*"] }],
      }),
    }),
  );
});
