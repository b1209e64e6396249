import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { RandomBytes } from "@pulumi/random/randomBytes";
import type { Namer } from "../naming";
import { AraComponent } from "../component";
import type { ReportReplication } from "../storage";
import { assertBindingsMatch, plainText, secretText, type WorkerBinding } from "./bindings";
import { readBundle } from "./bundle";
import { REPLICATOR_BUNDLE, SIGNER_BUNDLE, WORKER_CONTRACT as contract } from "./contract";

/** What the worker needs from the storage tier; the `Storage` component satisfies it. */
export interface ReportsStorage {
  /** An `r2_bucket` binding to the reports bucket under `name`. */
  binding(name: string): WorkerBinding;
  /** Present when the bucket is replicated; decides whether the replicator exists. */
  readonly replication: ReportReplication | undefined;
}

/** The stack's log archive, for the web app's log batches; the `LogArchive` component satisfies it. */
export interface AppLogArchive {
  /** An `r2_bucket` binding to the archive bucket under `name`. */
  binding(name: string): WorkerBinding;
  /** The bearer token `POST /r2/logs/app` checks (`LOG_INGEST_TOKEN`). Secret. */
  readonly ingestToken: pulumi.Input<string>;
}

/**
 * Settings of the `SignerWorker` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface SignerWorkerArgs {
  /** Cloudflare account that owns the scripts (stack config `accounts.cloudflareAccountId`). */
  accountId: pulumi.Input<string>;
  /** Zone of `hostname` (stack config `accounts.cloudflareZoneId`). */
  zoneId: pulumi.Input<string>;
  /**
   * Host the signer answers on; the route is `<hostname>/r2/*` and needs a proxied DNS
   * record for the host (the `Edge` component creates it).
   * @example "api.ara.example"
   */
  hostname: pulumi.Input<string>;
  /**
   * Lifetime of a signed URL, in seconds (`URL_TTL_SECONDS`).
   */
  urlTtlSeconds: pulumi.Input<number>;
  /**
   * Largest upload the signer will sign, in bytes (`MAX_UPLOAD_BYTES`).
   */
  maxUploadBytes: pulumi.Input<number>;
  /**
   * Content types the signer signs uploads for (`ALLOWED_CONTENT_TYPES`, comma-joined).
   */
  allowedContentTypes: pulumi.Input<string[]>;
  /**
   * Share of invocations whose logs Workers observability keeps (0–1).
   */
  logSamplingRate: pulumi.Input<number>;
  /**
   * Include the scripts' trace events in the account's Logpush jobs (the stack's log archive,
   * components/observability/logs.ts).
   */
  logpush: boolean;
  /**
   * Sentry DSN for the signer's unhandled errors (`SENTRY_DSN`, an optional secret binding);
   * absent when the stack has no error tracking.
   */
  sentryDsn?: pulumi.Input<string>;
  /** The reports bucket and, in prod, its replication target. */
  storage: ReportsStorage;
  /**
   * The stack's log archive, where it has one: bound as `LOG_ARCHIVE` with `LOG_INGEST_TOKEN`,
   * so the web app's log batches (`POST /r2/logs/app`) are kept for the stack's retention.
   */
  logArchive?: AppLogArchive;
}

/** Queue delivery to the replicator: small batches, retried for about an hour, then parked. */
const REPLICATOR_CONSUMER = { batchSize: 10, maxRetries: 10, maxWaitTimeMs: 5_000 } as const;
/**
 * The dead-letter queue's delivery: one last copy attempt, then one alert per batch, so a
 * long S3 outage sends a few emails rather than one per report. Retried only while the alert
 * itself cannot be sent.
 */
const DEAD_LETTER_CONSUMER = { batchSize: 50, maxRetries: 5, maxWaitTimeMs: 60_000 } as const;

/**
 * The `SignerWorker` component deploys the signed-URL service (app/worker, built to
 * `dist/index.js`) on `<hostname>/r2/*`, with its R2 binding, two generated secrets (the URL
 * signing key and the bearer token the web app sends) and its limits as plain vars. The
 * workers.dev subdomain is off, so the route is the only way in. When the storage is
 * replicated it also deploys the replicator (`dist/replicator.js`) as the consumer of the
 * events queue and of its dead-letter queue (copies given up on are reported to on-call).
 *
 * Binding names come from app/worker/contract.json; a mismatch fails the program before any
 * resource is registered.
 *
 * #### Minimal example
 * ```ts
 * const worker = new SignerWorker("worker", { accountId, zoneId, hostname: "api.example.com",
 *   urlTtlSeconds: 900, maxUploadBytes: 26214400,
 *   allowedContentTypes: ["application/pdf"], logSamplingRate: 1, logpush: false, storage },
 *   { providers: [cloudflareProvider, randomProvider] });
 * export const signerToken = worker.signerToken; // secret; the web app's SIGNER_TOKEN
 * ```
 */
export class SignerWorker extends AraComponent {
  /** `https://<hostname>`: the base URL the web app calls (`/r2/upload`, `/r2/download`, ...). */
  public readonly signerUrl: pulumi.Output<string>;
  /** Bearer token the web app sends as `Authorization: Bearer <token>`. Secret. */
  public readonly signerToken: pulumi.Output<string>;
  /** The signer's script name. */
  public readonly scriptName: pulumi.Output<string>;
  /** The replicator's script name, or undefined when storage is not replicated. */
  public readonly replicatorScriptName: pulumi.Output<string> | undefined;

  constructor(name: string, args: SignerWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:worker:SignerWorker", name, opts);

    const b = contract.bindings;
    // 32 random bytes each: the HMAC key for URL signatures and the app's bearer token.
    // RandomBytes marks base64/hex secret; the bindings wrap them again on principle.
    const signingKey = new RandomBytes(`${name}-signing-key`, { length: 32 }, { parent: this });
    const token = new RandomBytes(`${name}-signer-token`, { length: 32 }, { parent: this });

    const bindings = [
      args.storage.binding(b.bucket),
      secretText(b.signingKey, signingKey.base64),
      secretText(b.signerToken, token.hex),
      plainText(b.urlTtlSeconds, args.urlTtlSeconds),
      plainText(b.maxUploadBytes, args.maxUploadBytes),
      plainText(b.allowedContentTypes, args.allowedContentTypes),
      ...(args.sentryDsn === undefined ? [] : [secretText(b.sentryDsn, args.sentryDsn)]),
      ...(args.logArchive === undefined
        ? []
        : [
            args.logArchive.binding(b.logArchive),
            secretText(b.logIngestToken, args.logArchive.ingestToken),
          ]),
    ];
    assertBindingsMatch("signer", bindings, contract);

    const script = routedOnlyScript(
      this,
      { script: `${name}-script`, workersDev: `${name}-workers-dev` },
      args,
      {
        scriptName: this.physical("signer", "workerScript"),
        mainModule: contract.mainModule,
        bundle: SIGNER_BUNDLE,
        bindings,
      },
    );
    this.scriptName = script.scriptName;

    new cloudflare.WorkersRoute(
      `${name}-route`,
      {
        zoneId: args.zoneId,
        pattern: pulumi.interpolate`${args.hostname}${contract.routePattern}`,
        script: script.scriptName,
      },
      { parent: this },
    );

    const replication = args.storage.replication;
    this.replicatorScriptName = replication
      ? createReplicator(this, name, this.names, args, replication)
      : undefined;

    this.signerUrl = pulumi.interpolate`https://${args.hostname}`;
    this.signerToken = pulumi.secret(token.hex);

    this.registerOutputs({
      signerUrl: this.signerUrl,
      signerToken: this.signerToken,
      scriptName: this.scriptName,
      ...(this.replicatorScriptName && { replicatorScriptName: this.replicatorScriptName }),
    });
  }
}

function observability(
  sampling: pulumi.Input<number>,
): cloudflare.types.input.WorkersScriptObservability {
  // invocationLogs is required by the provider whenever logs is set.
  return {
    enabled: true,
    logs: { enabled: true, invocationLogs: true, headSamplingRate: sampling },
  };
}

/**
 * A script of this worker with its workers.dev subdomain and preview URLs off (policy
 * workers-dev-disabled), so only its route or its queues reach it.
 */
function routedOnlyScript(
  parent: pulumi.Resource,
  logical: { script: string; workersDev: string },
  args: SignerWorkerArgs,
  code: { scriptName: string; mainModule: string; bundle: string; bindings: WorkerBinding[] },
): cloudflare.WorkersScript {
  const script = new cloudflare.WorkersScript(
    logical.script,
    {
      accountId: args.accountId,
      scriptName: code.scriptName,
      mainModule: code.mainModule,
      ...readBundle(code.bundle),
      // The date the worker's tests run under in workerd: a property of the code, not of a stack.
      compatibilityDate: contract.compatibilityDate,
      bindings: code.bindings,
      observability: observability(args.logSamplingRate),
      logpush: args.logpush,
    },
    { parent },
  );
  new cloudflare.WorkersScriptSubdomain(
    logical.workersDev,
    {
      accountId: args.accountId,
      scriptName: script.scriptName,
      enabled: false,
      previewsEnabled: false,
    },
    { parent },
  );
  return script;
}

function createReplicator(
  parent: SignerWorker,
  name: string,
  names: Namer,
  args: SignerWorkerArgs,
  replication: ReportReplication,
): pulumi.Output<string> {
  const r = contract.replicator;
  const bindings = [
    args.storage.binding(r.bindings.bucket),
    plainText(r.bindings.replicaBucket, replication.bucket),
    plainText(r.bindings.replicaRegion, replication.region),
    secretText(r.bindings.awsAccessKeyId, replication.accessKeyId),
    secretText(r.bindings.awsSecretAccessKey, replication.secretAccessKey),
    plainText(r.bindings.deadLetterQueue, replication.deadLetterQueueName),
    plainText(r.bindings.alertTopicArn, replication.alertTopicArn),
  ];
  assertBindingsMatch("replicator", bindings, r);

  const script = routedOnlyScript(
    parent,
    { script: `${name}-replicator`, workersDev: `${name}-replicator-workers-dev` },
    args,
    {
      scriptName: names.physical("replicator", "workerScript"),
      mainModule: r.mainModule,
      bundle: REPLICATOR_BUNDLE,
      bindings,
    },
  );
  new cloudflare.QueueConsumer(
    `${name}-replicator-consumer`,
    {
      accountId: args.accountId,
      queueId: replication.queueId,
      type: "worker",
      scriptName: script.scriptName,
      deadLetterQueue: replication.deadLetterQueueName,
      settings: { ...REPLICATOR_CONSUMER },
    },
    { parent },
  );
  new cloudflare.QueueConsumer(
    `${name}-replicator-dead-letters`,
    {
      accountId: args.accountId,
      queueId: replication.deadLetterQueueId,
      type: "worker",
      scriptName: script.scriptName,
      settings: { ...DEAD_LETTER_CONSUMER },
    },
    { parent },
  );
  return script.scriptName;
}
