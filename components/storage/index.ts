import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { AccessKey, User, UserPolicy } from "@pulumi/aws/iam";
import type { Namer } from "../naming";
import { AraComponent, stateful, type Protection } from "../component";
import { createPrivateS3Bucket } from "../private-s3-bucket";
import type { WorkerBinding } from "../worker/bindings";
import { REPLICATED_EVENT_ACTIONS } from "../worker/contract";

const DAY_SECONDS = 86_400;

export interface StorageReplicaArgs {
  /**
   * Copy every new report to a versioned S3 bucket in another region. R2 has no object
   * versioning (decision 0004), so this is ARA's "versioning" and "cross-region
   * replication" for prod (docs/architecture.md).
   */
  enabled: boolean;
  /**
   * AWS region of the replica bucket; the stack's one AWS provider is redirected per resource.
   */
  region: pulumi.Input<string>;
  /**
   * Overwritten and expired copies are kept this many days as non-current versions.
   */
  noncurrentVersionExpiryDays: pulumi.Input<number>;
}

/**
 * Settings of the `Storage` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface StorageArgs {
  /** Cloudflare account that owns the bucket (stack config `accounts.cloudflareAccountId`). */
  accountId: pulumi.Input<string>;
  /**
   * R2 location hint; honoured only when the bucket is first created.
   */
  location: pulumi.Input<string>;
  /**
   * Reports are deleted this many days after upload: ARA's data retention.
   */
  objectExpiryDays: pulumi.Input<number>;
  /**
   * Multipart uploads left incomplete are aborted after this many days, so abandoned parts
   * stop costing storage.
   */
  abortMultipartAfterDays: pulumi.Input<number>;
  /**
   * Bucket-lock (WORM) retention in days; `null` creates no lock. Decides whether the lock
   * resource exists, so it is a plain value.
   */
  lockRetentionDays: number | null;
  /**
   * Origins allowed to use the bucket from a browser (the web app, `https://app.<domain>`).
   */
  corsOrigins: pulumi.Input<string[]>;
  /**
   * How long a browser may cache a CORS preflight answer.
   * @default 3600
   */
  corsMaxAgeSeconds?: pulumi.Input<number>;
  /** The versioned cross-region copy (prod). */
  replica: StorageReplicaArgs;
  /**
   * SNS topic the replicator alerts when a copy fails for good (the monitoring component's
   * topic); its key may publish there and nowhere else. Unused without a replica.
   */
  alertTopicArn: pulumi.Input<string>;
  /** Protection for the R2 bucket and the replica bucket (stacks/presets.ts `protection`). */
  protection: Protection;
}

/** What the replicator worker needs to copy new reports to S3. Present only when enabled. */
export interface ReportReplication {
  /** Queue that receives the bucket's object-created events. */
  queueId: pulumi.Output<string>;
  queueName: pulumi.Output<string>;
  /** Queue that parks events whose copy failed on every retry; the replicator consumes it. */
  deadLetterQueueId: pulumi.Output<string>;
  deadLetterQueueName: pulumi.Output<string>;
  /** Where the replicator reports copies it gave up on. */
  alertTopicArn: pulumi.Output<string>;
  /** Name of the versioned S3 bucket. */
  bucket: pulumi.Output<string>;
  region: pulumi.Output<string>;
  /** Access key of the IAM user that may only put objects into the replica. Secret. */
  accessKeyId: pulumi.Output<string>;
  /** Secret. */
  secretAccessKey: pulumi.Output<string>;
}

/**
 * The `Storage` component is the R2 bucket for PDF reports: private (no r2.dev access),
 * lifecycle-expired, CORS-limited to the app, optionally write-once-locked, and in prod copied
 * to a versioned, encrypted S3 bucket in a second region through R2 event notifications.
 *
 * Physical names follow the project's `ara-<stack>-<name>` rule, so the requirements'
 * `ara-reports-<env>` becomes `ara-<stack>-reports` (docs/edge.md).
 *
 * #### Minimal example
 * ```ts
 * const storage = new Storage("storage", { accountId, location: "enam", objectExpiryDays: 30,
 *   abortMultipartAfterDays: 1, lockRetentionDays: null, corsOrigins: ["https://app.example.com"],
 *   replica: { enabled: false, region: "us-west-2", noncurrentVersionExpiryDays: 30 },
 *   alertTopicArn: monitoring.alertTopicArn, protection: { protect: false, retainOnDelete: false } },
 *   { providers: [cloudflareProvider, awsProvider] });
 * const binding = storage.binding("REPORTS"); // for a WorkersScript
 * ```
 */
export class Storage extends AraComponent {
  /** The R2 bucket's name (`ara-<stack>-reports`). */
  public readonly bucketName: pulumi.Output<string>;
  /** The replication target, or undefined when `replica.enabled` is false. */
  public readonly replication: ReportReplication | undefined;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:storage:Storage", name, opts);

    const bucket = createBucket(this, name, this.names, args);
    this.bucketName = bucket.name;
    const on = { accountId: args.accountId, bucketName: bucket.name };
    createLifecycle(this, name, on, args);
    createCors(this, name, on, args);
    // New buckets start with r2.dev off; declaring it pins it, so a dashboard click that
    // makes every report public shows up as drift on the next preview.
    new cloudflare.R2ManagedDomain(`${name}-r2dev`, { ...on, enabled: false }, { parent: this });
    if (args.lockRetentionDays !== null) createLock(this, name, on, args.lockRetentionDays);
    this.replication = args.replica.enabled
      ? createReplica(this, name, this.names, args, bucket)
      : undefined;

    this.registerOutputs({
      bucketName: this.bucketName,
      ...(this.replication && {
        queueName: this.replication.queueName,
        replicaBucket: this.replication.bucket,
        replicaRegion: this.replication.region,
        replicatorAccessKeyId: this.replication.accessKeyId,
        replicatorSecretAccessKey: this.replication.secretAccessKey,
      }),
    });
  }

  /** An `r2_bucket` Worker binding to this bucket under `name`. */
  public binding(name: string): WorkerBinding {
    return { type: "r2_bucket", name, bucketName: this.bucketName };
  }
}

function days(n: pulumi.Input<number>): pulumi.Output<number> {
  return pulumi.output(n).apply((d) => d * DAY_SECONDS);
}

/** The bucket as every other bucket setting addresses it. */
interface BucketRef {
  accountId: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
}

function createBucket(parent: Storage, name: string, names: Namer, args: StorageArgs) {
  return new cloudflare.R2Bucket(
    `${name}-bucket`,
    {
      accountId: args.accountId,
      name: names.physical("reports", "r2Bucket"),
      location: args.location,
    },
    stateful(parent, args.protection),
  );
}

function createLifecycle(parent: Storage, name: string, on: BucketRef, args: StorageArgs) {
  return new cloudflare.R2BucketLifecycle(
    `${name}-lifecycle`,
    {
      ...on,
      rules: [
        {
          id: "expire-reports",
          enabled: true,
          conditions: { prefix: "" },
          // R2 lifecycle ages are in seconds, not days.
          deleteObjectsTransition: {
            condition: { type: "Age", maxAge: days(args.objectExpiryDays) },
          },
        },
        {
          id: "abort-incomplete-uploads",
          enabled: true,
          conditions: { prefix: "" },
          abortMultipartUploadsTransition: {
            condition: { type: "Age", maxAge: days(args.abortMultipartAfterDays) },
          },
        },
      ],
    },
    { parent },
  );
}

function createCors(parent: Storage, name: string, on: BucketRef, args: StorageArgs) {
  return new cloudflare.R2BucketCors(
    `${name}-cors`,
    {
      ...on,
      rules: [
        {
          id: "app-direct-transfer",
          allowed: {
            origins: args.corsOrigins,
            methods: ["PUT", "GET", "HEAD"],
            headers: ["content-type"],
          },
          exposeHeaders: ["etag"],
          maxAgeSeconds: args.corsMaxAgeSeconds ?? 3600,
        },
      ],
    },
    { parent },
  );
}

function createLock(parent: Storage, name: string, on: BucketRef, retentionDays: number) {
  return new cloudflare.R2BucketLock(
    `${name}-lock`,
    {
      ...on,
      rules: [
        {
          id: "retain-reports",
          enabled: true,
          prefix: "",
          // The lock's field is maxAgeSeconds; the lifecycle's is maxAge.
          condition: { type: "Age", maxAgeSeconds: retentionDays * DAY_SECONDS },
        },
      ],
    },
    { parent },
  );
}

/**
 * Prod's cross-region copy: R2 event notifications feed a queue the replicator worker
 * consumes, and it writes each new report to a versioned, encrypted S3 bucket in another
 * region with credentials that can do nothing else.
 */
function createReplica(
  parent: Storage,
  name: string,
  names: Namer,
  args: StorageArgs,
  source: cloudflare.R2Bucket,
): ReportReplication {
  const alertTopicArn = pulumi.output(args.alertTopicArn);
  const events = createEventQueues(parent, name, names, args, source);
  const replica = createReplicaBucket(parent, name, names, args);
  const key = createReplicatorKey(parent, name, names, replica.arn, alertTopicArn);
  return {
    queueId: events.queue.queueId,
    queueName: events.queue.queueName,
    deadLetterQueueId: events.deadLetter.queueId,
    deadLetterQueueName: events.deadLetter.queueName,
    alertTopicArn,
    bucket: replica.bucket,
    region: pulumi.output(args.replica.region),
    accessKeyId: pulumi.secret(key.id),
    secretAccessKey: pulumi.secret(key.secret),
  };
}

/** Every object-creating action goes to a queue the replicator consumes. */
function createEventQueues(
  parent: Storage,
  name: string,
  names: Namer,
  args: StorageArgs,
  source: cloudflare.R2Bucket,
) {
  const child = { parent };
  const deadLetter = new cloudflare.Queue(
    `${name}-events-dlq`,
    { accountId: args.accountId, queueName: names.physical("reports-events-dlq", "queue") },
    child,
  );
  const queue = new cloudflare.Queue(
    `${name}-events`,
    { accountId: args.accountId, queueName: names.physical("reports-events", "queue") },
    child,
  );
  new cloudflare.R2BucketEventNotification(
    `${name}-notification`,
    {
      accountId: args.accountId,
      bucketName: source.name,
      queueId: queue.queueId,
      rules: [
        {
          actions: [...REPLICATED_EVENT_ACTIONS],
          description: "New reports, copied to the versioned S3 replica",
        },
      ],
    },
    child,
  );
  return { queue, deadLetter };
}

function createReplicaBucket(parent: Storage, name: string, names: Namer, args: StorageArgs) {
  return createPrivateS3Bucket(parent, `${name}-replica`, {
    physicalName: names.physical("reports-replica", "s3Bucket"),
    region: args.replica.region,
    protection: args.protection,
    lifecycleRules: [
      {
        id: "expire-copies",
        status: "Enabled",
        filter: {},
        // The copy ages out with the original, then survives as a non-current version for
        // the recovery window, so the replica never keeps a report forever.
        expiration: { days: args.objectExpiryDays },
        noncurrentVersionExpiration: { noncurrentDays: args.replica.noncurrentVersionExpiryDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortMultipartAfterDays },
      },
    ],
  });
}

function createReplicatorKey(
  parent: Storage,
  name: string,
  names: Namer,
  replicaArn: pulumi.Output<string>,
  alertTopicArn: pulumi.Output<string>,
) {
  const child = { parent };
  // The replicator's credentials can put objects into the replica and publish to the alert
  // topic, nothing else: a leaked key can add versions (and noise), never read, delete or
  // overwrite history.
  const user = new User(
    `${name}-replicator`,
    { name: names.physical("reports-replicator", "aws") },
    child,
  );
  new UserPolicy(
    `${name}-replicator-policy`,
    {
      user: user.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "PutReplicaObjects",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [pulumi.interpolate`${replicaArn}/*`],
          },
          {
            Sid: "PublishReplicationAlerts",
            Effect: "Allow",
            Action: ["sns:Publish"],
            Resource: [alertTopicArn],
          },
        ],
      }),
    },
    child,
  );
  const key = new AccessKey(`${name}-replicator-key`, { user: user.name }, child);
  return key;
}
