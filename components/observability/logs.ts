import * as pulumi from "@pulumi/pulumi";
import { LogpushJob } from "@pulumi/cloudflare/logpushJob";
import { R2Bucket } from "@pulumi/cloudflare/r2bucket";
import { R2BucketLifecycle } from "@pulumi/cloudflare/r2bucketLifecycle";
import { R2ManagedDomain } from "@pulumi/cloudflare/r2managedDomain";
import { RandomBytes } from "@pulumi/random/randomBytes";
import { AraComponent, stateful, type Protection } from "../component";
import type { WorkerBinding } from "../worker/bindings";

const DAY_SECONDS = 86_400;

/** Logpush of the workers' trace events into the archive (`LogArchiveArgs.workers`). */
export interface LogArchiveWorkersArgs {
  /** Worker script names start with this (`ara-<stack>-`), so a shared account ships only its own. */
  scriptPrefix: pulumi.Input<string>;
  /**
   * S3 credentials of an R2 API token with Object Read & Write on the bucket, which Logpush
   * writes with (developers.cloudflare.com/logs/get-started/enable-destinations/r2/).
   */
  r2AccessKeyId: pulumi.Input<string>;
  r2SecretAccessKey: pulumi.Input<string>;
}

/** Settings of the `LogArchive` component. */
export interface LogArchiveArgs {
  /** Cloudflare account of the workers and the bucket. */
  accountId: pulumi.Input<string>;
  /** R2 location hint of the bucket. */
  location: pulumi.Input<string>;
  /** Logs are deleted this many days after they arrive: the stack's log retention. */
  retentionDays: number;
  /**
   * Ship the workers' trace events to the bucket with a Logpush job. Absent: no Logpush job
   * and no R2 API token; the bucket then holds only the web app's log batches.
   */
  workers?: LogArchiveWorkersArgs;
  /** Protection for the bucket (stacks/presets.ts `protection`). */
  protection: Protection;
}

/**
 * The `LogArchive` component keeps the stack's logs for its whole retention in a private R2
 * bucket (`ara-<stack>-logs`), whose lifecycle deletes them after `retentionDays`. The web
 * app's own log lines reach it (under `app/`) through the signer worker's `POST /r2/logs/app`:
 * the worker binds the bucket (`binding()`) and checks the app's bearer token, `ingestToken`,
 * generated here. With `workers`, a Logpush job also ships every `workers_trace_events` record
 * of this stack's scripts to it (under `workers/`), for stacks whose retention exceeds the 7
 * days Workers Logs keeps; the scripts must set `logpush: true` to be included
 * (components/worker).
 *
 * #### Minimal example
 * ```ts
 * const logs = new LogArchive("logs", { accountId, location: "enam", retentionDays: 365,
 *   workers: { scriptPrefix: "ara-prod-", r2AccessKeyId, r2SecretAccessKey },
 *   protection: { protect: true, retainOnDelete: true } }, { providers: [cloudflare, random] });
 * logs.binding("LOG_ARCHIVE"); // for the signer's WorkersScript, with logs.ingestToken
 * ```
 */
export class LogArchive extends AraComponent {
  /** The archive bucket's name. */
  public readonly bucketName: pulumi.Output<string>;
  /**
   * The bearer token of the worker's `POST /r2/logs/app` (its `LOG_INGEST_TOKEN`, the app's
   * `LOG_ARCHIVE_TOKEN`). Secret. It can only add log objects, unlike the signer's token.
   */
  public readonly ingestToken: pulumi.Output<string>;

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:observability:LogArchive", name, opts);

    const bucket = this.createBucket(args);
    if (args.workers !== undefined) this.createLogpush(bucket, args.accountId, args.workers);
    const token = new RandomBytes(this.child("ingest-token"), { length: 32 }, { parent: this });

    this.bucketName = bucket.name;
    this.ingestToken = pulumi.secret(token.hex);
    this.registerOutputs({ bucketName: this.bucketName, ingestToken: this.ingestToken });
  }

  /** An `r2_bucket` Worker binding to the archive bucket under `name`. */
  public binding(name: string): WorkerBinding {
    return { type: "r2_bucket", name, bucketName: this.bucketName };
  }

  private createBucket(args: LogArchiveArgs): R2Bucket {
    const bucket = new R2Bucket(
      this.child("bucket"),
      {
        accountId: args.accountId,
        name: this.physical("logs", "r2Bucket"),
        location: args.location,
      },
      stateful(this, args.protection),
    );
    const on = { accountId: args.accountId, bucketName: bucket.name };
    new R2ManagedDomain(this.child("r2dev"), { ...on, enabled: false }, { parent: this });
    new R2BucketLifecycle(
      this.child("lifecycle"),
      {
        ...on,
        rules: [
          {
            id: "expire-logs",
            enabled: true,
            conditions: { prefix: "" },
            // R2 lifecycle ages are in seconds.
            deleteObjectsTransition: {
              condition: { type: "Age", maxAge: args.retentionDays * DAY_SECONDS },
            },
          },
        ],
      },
      { parent: this },
    );
    return bucket;
  }

  private createLogpush(
    bucket: R2Bucket,
    accountId: pulumi.Input<string>,
    args: LogArchiveWorkersArgs,
  ): LogpushJob {
    return new LogpushJob(
      this.child("workers"),
      {
        accountId,
        name: this.physical("workers-logs", "generic"),
        dataset: "workers_trace_events",
        enabled: true,
        destinationConf: pulumi.secret(
          pulumi.interpolate`r2://${bucket.name}/workers/{DATE}?account-id=${accountId}&access-key-id=${args.r2AccessKeyId}&secret-access-key=${args.r2SecretAccessKey}`,
        ),
        filter: pulumi.output(args.scriptPrefix).apply((prefix) =>
          JSON.stringify({
            where: { and: [{ key: "ScriptName", operator: "startsWith", value: prefix }] },
          }),
        ),
        outputOptions: { outputType: "ndjson", timestampFormat: "rfc3339" },
      },
      { parent: this },
    );
  }
}
