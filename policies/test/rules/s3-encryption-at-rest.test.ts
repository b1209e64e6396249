import { describeSpec, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

const POLICY = "s3-encryption-at-rest";

describeSpec(POLICY, { levels: "mandatory", ...ONLY_PROD_HAS_S3 }, (fails) => {
  fails("fails when the encryption configuration sets no default algorithm", (g) =>
    setProps(g, "storage-replica-encryption", { rules: [{ bucketKeyEnabled: true }] }),
  );
});
