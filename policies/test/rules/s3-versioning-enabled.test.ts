import { describeSpec, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

const POLICY = "s3-versioning-enabled";

// ARA requires versioning in production (docs/architecture.md).
describeSpec(
  POLICY,
  { levels: { dev: "advisory", staging: "advisory", prod: "mandatory" }, ...ONLY_PROD_HAS_S3 },
  (fails) => {
    fails("fails when versioning is suspended", (g) =>
      setProps(g, "storage-replica-versioning", {
        versioningConfiguration: { status: "Suspended" },
      }),
    );
  },
);
