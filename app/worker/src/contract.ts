import contract from "../contract.json";

/**
 * Binding names, as the signer's source reads them. contract.json is the copy the Pulumi
 * component reads; test/contract.test.ts fails when the two disagree, and src/env.ts fails
 * to compile when `Env` has a key that is not listed here.
 */
export const SIGNER_BINDINGS = {
  bucket: "REPORTS",
  signingKey: "SIGNING_KEY",
  signerToken: "SIGNER_TOKEN",
  urlTtlSeconds: "URL_TTL_SECONDS",
  maxUploadBytes: "MAX_UPLOAD_BYTES",
  allowedContentTypes: "ALLOWED_CONTENT_TYPES",
  sentryDsn: "SENTRY_DSN",
} as const satisfies Record<keyof typeof contract.bindings, string>;

/** Binding names, as the replicator's source reads them (checked against contract.json). */
export const REPLICATOR_BINDINGS = {
  bucket: "REPORTS",
  replicaBucket: "REPLICA_BUCKET",
  replicaRegion: "REPLICA_REGION",
  replicaEndpoint: "REPLICA_ENDPOINT",
  awsAccessKeyId: "AWS_ACCESS_KEY_ID",
  awsSecretAccessKey: "AWS_SECRET_ACCESS_KEY",
  deadLetterQueue: "DEAD_LETTER_QUEUE",
  alertTopicArn: "ALERT_TOPIC_ARN",
  alertEndpoint: "ALERT_ENDPOINT",
} as const satisfies Record<keyof typeof contract.replicator.bindings, string>;

/** Defaults for the plain-text vars; the worker applies them when a var is unset. */
export const SIGNER_DEFAULTS = contract.defaults;
export const REPLICATOR_DEFAULTS = contract.replicator.defaults;

/** R2 event actions that create a new object version; the replicator copies only these. */
export const REPLICATED_ACTIONS: readonly string[] = contract.replicator.eventActions;

/** Every signed URL lives under this path; the Pulumi route is `<host>/r2/*`. */
export const OBJECT_PATH_PREFIX = "/r2/object/";
