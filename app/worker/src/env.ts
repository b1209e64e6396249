/** A plain-text var: a string in production, but local tools may pass numbers. */
export type PlainVar = string | number | undefined;

// The binding names are contract.json's; JSON imports type their values as plain strings, so
// test/contract.test.ts, not the compiler, checks that these keys are exactly those names.

/** Bindings of the signer (src/index.ts). Names must match contract.json `bindings`. */
export interface Env {
  REPORTS: R2Bucket;
  SIGNING_KEY: string;
  SIGNER_TOKEN: string;
  URL_TTL_SECONDS?: PlainVar;
  MAX_UPLOAD_BYTES?: PlainVar;
  ALLOWED_CONTENT_TYPES?: PlainVar;
  /** Optional: where unhandled errors are reported; unset means they are only logged. */
  SENTRY_DSN?: string;
  /** Optional: the stack's log archive bucket (ara-<stack>-logs), bound only where it exists. */
  LOG_ARCHIVE?: R2Bucket;
  /** Optional: the bearer token of POST /r2/logs/app; bound with LOG_ARCHIVE. */
  LOG_INGEST_TOKEN?: string;
}

/** Bindings of the replicator (src/replicator.ts). Names must match contract.json `replicator.bindings`. */
export interface ReplicatorEnv {
  REPORTS: R2Bucket;
  REPLICA_BUCKET: string;
  REPLICA_REGION?: PlainVar;
  REPLICA_ENDPOINT?: PlainVar;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  /** Name of the queue that parks events the replicator gave up on; it consumes that too. */
  DEAD_LETTER_QUEUE: string;
  /** SNS topic that receives an alert for every batch of copies given up for good. */
  ALERT_TOPIC_ARN: string;
  /** SNS endpoint override (tests); unset means https://sns.<topic region>.amazonaws.com. */
  ALERT_ENDPOINT?: PlainVar;
}
