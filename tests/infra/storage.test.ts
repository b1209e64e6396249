import { beforeAll, describe, expect, it } from "vitest";
import contract from "../../app/worker/contract.json";
import type { CapturedResource, ProgramRun } from "../../offline/engine";
import { planStack } from "../harness";
import { at, component, DOMAINS, ofType, one, planAll, STACKS, type StackName } from "./tier";
import { T } from "../../policies/lib/types";

const DAY = 86_400;
const R2 = T.r2Bucket;
const LIFECYCLE = T.r2Lifecycle;
const CORS = T.r2Cors;
const MANAGED = T.r2ManagedDomain;
const LOCK = T.r2Lock;
const QUEUE = T.queue;
const NOTIFICATION = T.r2EventNotification;
const S3 = T.s3Bucket;
const S3_PARTS = {
  versioning: T.s3Versioning,
  encryption: T.s3Encryption,
  publicAccess: T.s3PublicAccessBlock,
  ownership: T.s3Ownership,
  policy: T.s3Policy,
  lifecycle: T.s3Lifecycle,
};
/** The replica's part of `type`: the database's backup bucket has the same kinds of parts. */
const part = (run: ProgramRun, type: string) =>
  one(
    run,
    type,
    `storage-replica-${Object.entries(S3_PARTS)
      .find(([, t]) => t === type)![0]
      .replace("publicAccess", "public-access")}`,
  );
const IAM_USER = T.iamUser;
const IAM_POLICY = T.iamUserPolicy;
const ACCESS_KEY = T.iamAccessKey;

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

const rule = (r: CapturedResource, id: string) =>
  (r.inputs.rules as Array<Record<string, any>>).find((x) => x.id === id);

describe.each(STACKS)("storage in %s", (stack) => {
  const run = () => runs[stack];

  it("is one R2 bucket named by our convention, in ENAM", () => {
    const bucket = one(run(), R2, "storage-bucket");
    expect(bucket.inputs.name).toBe(`ara-${stack}-reports`);
    expect(bucket.inputs.location).toBe("enam");
    expect(bucket.inputs.accountId).toMatch(/^[0-9a-f]{32}$/);
    expect(run().outputs.reportsBucketName).toBe(`ara-${stack}-reports`);
  });

  it("expires reports after ARA's data retention (7, 30, 365 days), in seconds, and aborts stale uploads", () => {
    const lifecycle = one(run(), LIFECYCLE, "storage-lifecycle");
    expect(lifecycle.inputs.bucketName).toBe(`ara-${stack}-reports`);
    const retentionDays = { dev: 7, staging: 30, prod: 365 }[stack];
    expect(rule(lifecycle, "expire-reports")).toEqual({
      id: "expire-reports",
      enabled: true,
      conditions: { prefix: "" },
      deleteObjectsTransition: { condition: { type: "Age", maxAge: retentionDays * DAY } },
    });
    const abortDays = stack === "dev" ? 1 : 7;
    expect(rule(lifecycle, "abort-incomplete-uploads")).toEqual({
      id: "abort-incomplete-uploads",
      enabled: true,
      conditions: { prefix: "" },
      abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: abortDays * DAY } },
    });
  });

  it("allows CORS only from the app's origin", () => {
    const cors = one(run(), CORS);
    const rules = cors.inputs.rules as Array<Record<string, any>>;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.allowed).toEqual({
      origins: [`https://app.${DOMAINS[stack]}`],
      methods: ["PUT", "GET", "HEAD"],
      headers: ["content-type"],
    });
    expect(rules[0]!.maxAgeSeconds).toBeGreaterThan(0);
  });

  it("pins public r2.dev access off", () => {
    const managed = one(run(), MANAGED, "storage-r2dev");
    expect(managed.inputs.enabled).toBe(false);
    expect(managed.inputs.bucketName).toBe(`ara-${stack}-reports`);
  });

  it("locks objects only where a retention is configured (prod: 7 days)", () => {
    const locks = ofType(run(), LOCK);
    if (stack !== "prod") {
      expect(locks).toHaveLength(0);
      return;
    }
    expect(locks).toHaveLength(1);
    expect(locks[0]!.inputs.rules).toEqual([
      {
        id: "retain-reports",
        enabled: true,
        prefix: "",
        condition: { type: "Age", maxAgeSeconds: 7 * DAY },
      },
    ]);
  });

  it("replicates to S3 only in prod", () => {
    const replicaTypes = [S3, QUEUE, NOTIFICATION, IAM_USER, ...Object.values(S3_PARTS)];
    // Only storage's own: other tiers (email's SMTP user) have IAM users of their own.
    const storage = component(run(), T.storageComponent).self.urn;
    const found = replicaTypes.flatMap((t) => ofType(run(), t)).filter((r) => r.parent === storage);
    if (stack === "prod")
      expect(found.length).toBe(replicaTypes.length + 1); // two queues
    else expect(found).toEqual([]);
  });

  it("owns every child, named after the component", () => {
    const { self, children } = component(run(), T.storageComponent);
    expect(self.name).toBe("storage");
    expect(children.length).toBeGreaterThanOrEqual(4);
    for (const c of children) expect(c.name.startsWith("storage-"), c.name).toBe(true);
    // Every resource of a storage type named for storage is its child, and none floats at the
    // root; other tiers (the log archive, email's SMTP user) have such resources of their own.
    const components = new Set(
      run()
        .resources.filter((x) => x.type.startsWith("ara:"))
        .map((x) => x.urn),
    );
    for (const type of [R2, LIFECYCLE, CORS, MANAGED, LOCK, QUEUE, S3, IAM_USER, ACCESS_KEY]) {
      for (const r of ofType(run(), type)) {
        expect(components.has(r.parent), r.name).toBe(true);
        if (r.name.startsWith("storage-")) expect(r.parent).toBe(self.urn);
      }
    }
  });

  it("protects and retains the stateful buckets in prod only", () => {
    const prod = stack === "prod";
    const stateful = [
      one(run(), R2, "storage-bucket"),
      ...ofType(run(), S3),
      ...ofType(run(), S3_PARTS.versioning),
    ];
    for (const r of stateful) {
      expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, prod, prod]);
    }
    const { children } = component(run(), T.storageComponent);
    const others = children.filter((c) => !stateful.includes(c));
    for (const r of others) expect([r.name, r.protect]).toEqual([r.name, false]);
  });
});

describe("the prod replica", () => {
  const run = () => runs.prod;
  const replica = () => one(run(), S3, "storage-replica");

  it("is an S3 bucket in us-west-2 with a stack-derived prefix", () => {
    const b = replica();
    expect(b.inputs.region).toBe("us-west-2");
    expect(b.inputs.bucketPrefix).toBe("ara-prod-reports-replica-");
    // S3 appends 26 characters; a longer prefix would fail at create time.
    expect(String(b.inputs.bucketPrefix).length).toBeLessThanOrEqual(37);
    expect(b.inputs.forceDestroy).toBe(false);
    expect(run().outputs.reportsReplicaBucket).toBe(b.outputs.bucket);
    expect(run().outputs.reportsReplicaRegion).toBe("us-west-2");
  });

  it("configures every part on the replica bucket in the replica's region", () => {
    const name = replica().outputs.bucket;
    for (const type of Object.values(S3_PARTS)) {
      const p = part(run(), type);
      expect([type, p.inputs.bucket, p.inputs.region]).toEqual([type, name, "us-west-2"]);
    }
  });

  it("versions every object", () => {
    expect(part(run(), S3_PARTS.versioning).inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
  });

  it("encrypts at rest with AES-256", () => {
    expect(part(run(), S3_PARTS.encryption).inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
  });

  it("blocks every kind of public access and disables ACLs", () => {
    const pab = part(run(), S3_PARTS.publicAccess).inputs;
    expect([
      pab.blockPublicAcls,
      pab.blockPublicPolicy,
      pab.ignorePublicAcls,
      pab.restrictPublicBuckets,
    ]).toEqual([true, true, true, true]);
    expect(part(run(), S3_PARTS.ownership).inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
  });

  it("refuses any request without TLS", () => {
    const arn = replica().outputs.arn as string;
    const policy = JSON.parse(part(run(), S3_PARTS.policy).inputs.policy as string);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("expires copies with the original and keeps old versions for the configured window", () => {
    const lifecycle = part(run(), S3_PARTS.lifecycle);
    expect(lifecycle.inputs.rules).toEqual([
      {
        id: "expire-copies",
        status: "Enabled",
        filter: {},
        expiration: { days: 365 },
        noncurrentVersionExpiration: { noncurrentDays: 365 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    expect(lifecycle.dependsOn).toContain(part(run(), S3_PARTS.versioning).urn);
  });

  it("feeds object-created events to a queue, with the contract's actions", () => {
    const queue = one(run(), QUEUE, "storage-events");
    expect(queue.inputs.queueName).toBe("ara-prod-reports-events");
    const notification = one(run(), NOTIFICATION);
    expect(notification.inputs.bucketName).toBe("ara-prod-reports");
    expect(notification.inputs.queueId).toBe(queue.outputs.queueId);
    const rules = notification.inputs.rules as Array<{ actions: string[] }>;
    expect(rules.map((r) => r.actions)).toEqual([contract.replicator.eventActions]);
    // Deletions must never reach the replica: it is the undo for them.
    expect(rules[0]!.actions).not.toContain("DeleteObject");
    expect(rules[0]!.actions).not.toContain("LifecycleDeletion");
    expect(one(run(), QUEUE, "storage-events-dlq").inputs.queueName).toBe(
      "ara-prod-reports-events-dlq",
    );
  });

  it("gives the replicator a key that may only put replica objects and publish alerts", () => {
    const arn = replica().outputs.arn as string;
    const topicArn = one(run(), T.snsTopic).outputs.arn as string;
    expect(topicArn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:ara-prod-alerts$/);
    const user = one(run(), IAM_USER, "storage-replicator");
    expect(user.inputs.name).toBe("ara-prod-reports-replicator");
    const policy = one(run(), IAM_POLICY, "storage-replicator-policy");
    expect(policy.inputs.user).toBe("ara-prod-reports-replicator");
    const doc = JSON.parse(policy.inputs.policy as string);
    expect(doc.Statement).toEqual([
      {
        Sid: "PutReplicaObjects",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`${arn}/*`],
      },
      {
        Sid: "PublishReplicationAlerts",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: [topicArn],
      },
    ]);
    const key = one(run(), ACCESS_KEY, "storage-replicator-key");
    expect(key.inputs.user).toBe("ara-prod-reports-replicator");
    expect(key.secretOutputs).toContain("secret");
  });
});

describe("storage follows its config, not the environment's name", () => {
  it("creates a lock in dev when a retention is set", async () => {
    const run = await planStack("dev", {
      config: { "ara:storage": JSON.stringify({ lockRetentionDays: 3 }) },
    });
    expect(at(one(run, LOCK), "rules.0.condition.maxAgeSeconds")).toBe(3 * DAY);
  });

  it("creates the replica in staging when enabled, in the configured region", async () => {
    const run = await planStack("staging", {
      config: {
        "ara:storage": JSON.stringify({ replica: { enabled: true, region: "eu-west-1" } }),
      },
    });
    expect(one(run, S3).inputs.region).toBe("eu-west-1");
    expect(one(run, S3_PARTS.versioning).inputs.region).toBe("eu-west-1");
    expect(one(run, S3).protect).toBe(false);
    expect(at(one(run, S3_PARTS.lifecycle), "rules.0.noncurrentVersionExpiration")).toEqual({
      noncurrentDays: 30,
    });
  });
});
