import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../offline/engine";
import { T } from "../../policies/lib/types";
import { component, one, planAll, STACKS, type StackName } from "./tier";

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

const backupParts = (run: ProgramRun) =>
  component(run, T.databaseComponent).children.filter((r) => r.type.startsWith("aws:"));

describe.each(STACKS)("the database's cross-region copy in %s", (stack) => {
  it(stack === "prod" ? "exists (prod turns it on)" : "does not exist", () => {
    const run = runs[stack];
    expect(backupParts(run).length).toBe(stack === "prod" ? 7 : 0);
    expect("databaseBackupBucket" in run.outputs).toBe(stack === "prod");
  });
});

describe("prod's database backup bucket", () => {
  const run = () => runs.prod;
  const bucket = () => one(run(), T.s3Bucket, "database-backup");

  it("is a protected S3 bucket in us-west-2, away from the database in us-east, and an output", () => {
    const b = bucket();
    expect(b.inputs).toMatchObject({
      bucketPrefix: "ara-prod-database-backup-",
      region: "us-west-2",
      forceDestroy: false,
    });
    expect([b.protect, b.retainOnDelete]).toEqual([true, true]);
    expect(one(run(), T.planetScaleDatabase, "database-postgres").inputs.region).toBe("us-east");
    // npm run backup reads these two (ARA_BACKUP_BUCKET, ARA_BACKUP_REGION).
    expect(run().outputs.databaseBackupBucket).toBe(b.outputs.bucket);
    expect(run().outputs.databaseBackupRegion).toBe("us-west-2");
  });

  it("is versioned, encrypted, private and TLS-only, every part in the bucket's region", () => {
    const name = bucket().outputs.bucket;
    const versioning = one(run(), T.s3Versioning, "database-backup-versioning");
    expect(versioning.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(versioning.protect).toBe(true);
    expect(one(run(), T.s3Encryption, "database-backup-encryption").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    const pab = one(run(), T.s3PublicAccessBlock, "database-backup-public-access").inputs;
    expect([
      pab.blockPublicAcls,
      pab.blockPublicPolicy,
      pab.ignorePublicAcls,
      pab.restrictPublicBuckets,
    ]).toEqual([true, true, true, true]);
    const policy = JSON.parse(
      one(run(), T.s3Policy, "database-backup-policy").inputs.policy as string,
    );
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    for (const r of backupParts(run()).filter((r) => r.type !== T.s3Bucket)) {
      expect([r.name, r.inputs.bucket, r.inputs.region]).toEqual([r.name, name, "us-west-2"]);
    }
  });

  it("expires dumps after the configured 7 days and overwritten ones a week later", () => {
    const lifecycle = one(run(), T.s3Lifecycle, "database-backup-lifecycle");
    expect(lifecycle.inputs.rules).toEqual([
      {
        id: "expire-dumps",
        status: "Enabled",
        filter: {},
        expiration: { days: 7 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
    expect(lifecycle.dependsOn).toContain(
      one(run(), T.s3Versioning, "database-backup-versioning").urn,
    );
  });
});
