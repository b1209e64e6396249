import { describeSpec, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

describeSpec("s3-public-access-blocked", { levels: "mandatory", ...ONLY_PROD_HAS_S3 }, (fails) => {
  fails(
    "fails when one of the four flags is off",
    (g) => setProps(g, "storage-replica-public-access", { restrictPublicBuckets: false }),
    { message: /restrictPublicBuckets/ },
  );
});
