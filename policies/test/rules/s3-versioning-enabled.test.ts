import { describeSpec, ONLY_PROD_HAS_S3, setProps } from "../harness/real-graph";

// ARA requires versioning in production (docs/architecture.md).
describeSpec(
  "s3-versioning-enabled",
  { levels: { dev: "advisory", staging: "advisory", prod: "mandatory" }, ...ONLY_PROD_HAS_S3 },
  (fails) => {
    fails("fails when versioning is suspended", (g) =>
      setProps(g, "storage-replica-versioning", {
        versioningConfiguration: { status: "Suspended" },
      }),
    );
  },
);
