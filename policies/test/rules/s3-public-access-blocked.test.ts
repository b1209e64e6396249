import { describeSpec, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

const POLICY = "s3-public-access-blocked";

describeSpec(POLICY, { levels: "mandatory", ...ONLY_PROD_HAS_S3 }, (fails) => {
  fails(
    "fails when one of the four flags is off",
    (g) => setProps(g, "storage-replica-public-access", { restrictPublicBuckets: false }),
    { message: /restrictPublicBuckets/ },
  );
});
