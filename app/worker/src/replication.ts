import { AwsClient } from "aws4fetch";
import { REPLICATED_ACTIONS, REPLICATOR_DEFAULTS } from "./contract";
import type { ReplicatorEnv } from "./env";

/** Body of an R2 event-notification message (Cloudflare docs, "Event notifications"). */
export interface R2EventNotification {
  account: string;
  bucket: string;
  action: string;
  eventTime?: string;
  object: { key: string; size?: number; eTag?: string };
  copySource?: { bucket: string; object: string };
}

/** Returns the event, or null when the body is not an R2 event notification. */
export function parseEvent(body: unknown): R2EventNotification | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  const object = b.object as Record<string, unknown> | undefined;
  if (
    typeof b.action !== "string" ||
    typeof b.bucket !== "string" ||
    typeof object !== "object" ||
    object === null ||
    typeof object.key !== "string" ||
    object.key === ""
  ) {
    return null;
  }
  return body as R2EventNotification;
}

export interface ReplicaConfig {
  bucket: string;
  region: string;
  /** Path-style endpoint (tests, S3-compatible stores); unset means AWS virtual-hosted style. */
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The dead-letter queue's name: batches from it are the last chance, then an alert. */
  deadLetterQueue: string;
  alert: AlertTarget;
}

/** Where a copy given up for good is reported: an SNS topic, signed with the same key. */
export interface AlertTarget {
  topicArn: string;
  region: string;
  /** SNS endpoint, `https://sns.<region>.amazonaws.com` unless overridden (tests). */
  endpoint: string;
}

export class ReplicaConfigError extends Error {}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
}

/** Validates the replicator bindings; the error names the binding to set. */
export function readReplicaConfig(env: ReplicatorEnv): ReplicaConfig {
  const bucket = text(env.REPLICA_BUCKET);
  const accessKeyId = text(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = text(env.AWS_SECRET_ACCESS_KEY);
  const deadLetterQueue = text(env.DEAD_LETTER_QUEUE);
  const topicArn = text(env.ALERT_TOPIC_ARN);
  const missing = [
    bucket === undefined && "REPLICA_BUCKET (plain_text)",
    accessKeyId === undefined && "AWS_ACCESS_KEY_ID (secret_text)",
    secretAccessKey === undefined && "AWS_SECRET_ACCESS_KEY (secret_text)",
    deadLetterQueue === undefined && "DEAD_LETTER_QUEUE (plain_text)",
    topicArn === undefined && "ALERT_TOPIC_ARN (plain_text)",
  ].filter((m): m is string => m !== false);
  if (missing.length > 0) {
    throw new ReplicaConfigError(
      `The replicator is missing ${missing.join(", ")}; set them on the replicator worker (the storage component does this in prod).`,
    );
  }
  const endpoint = origin(
    "REPLICA_ENDPOINT",
    env.REPLICA_ENDPOINT,
    "https://s3.us-west-2.amazonaws.com",
  );
  // arn:aws:sns:<region>:<account>:<name>; the region decides where the alert is signed for.
  const arn = /^arn:aws[a-z-]*:sns:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:[A-Za-z0-9_-]{1,256}$/.exec(
    topicArn as string,
  );
  if (arn === null) {
    throw new ReplicaConfigError(
      `ALERT_TOPIC_ARN must be an SNS topic ARN such as "arn:aws:sns:us-east-1:123456789012:alerts" (got "${topicArn}").`,
    );
  }
  const alertRegion = arn[1]!;
  return {
    bucket: bucket as string,
    region: text(env.REPLICA_REGION) ?? REPLICATOR_DEFAULTS.REPLICA_REGION,
    endpoint,
    accessKeyId: accessKeyId as string,
    secretAccessKey: secretAccessKey as string,
    deadLetterQueue: deadLetterQueue as string,
    alert: {
      topicArn: topicArn as string,
      region: alertRegion,
      endpoint:
        origin("ALERT_ENDPOINT", env.ALERT_ENDPOINT, "https://sns.us-east-1.amazonaws.com") ??
        `https://sns.${alertRegion}.amazonaws.com`,
    },
  };
}

/** An optional scheme-and-host override, without a trailing slash. */
function origin(binding: string, value: unknown, example: string): string | undefined {
  const url = text(value)?.replace(/\/+$/, "");
  if (url !== undefined && !/^https?:\/\/[^/?#]+$/.test(url)) {
    throw new ReplicaConfigError(
      `${binding} must be a scheme and host such as "${example}" (got "${url}").`,
    );
  }
  return url;
}

/** S3 key path: each segment encoded per RFC 3986, so the path sent is the path SigV4 signs. */
export function encodeS3Key(key: string): string {
  return key
    .split("/")
    .map((s) =>
      encodeURIComponent(s).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

/** Where the copy of `key` goes: virtual-hosted style on AWS, path style on a custom endpoint. */
export function replicaUrl(
  cfg: Pick<ReplicaConfig, "bucket" | "region" | "endpoint">,
  key: string,
): string {
  if (cfg.endpoint !== undefined) return `${cfg.endpoint}/${cfg.bucket}/${encodeS3Key(key)}`;
  return `https://${cfg.bucket}.s3.${cfg.region}.amazonaws.com/${encodeS3Key(key)}`;
}

/** Backoff for message.retry(): 10 s, 20 s, 40 s … capped at 15 minutes. */
export function retryDelaySeconds(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(10 * 2 ** (n - 1), 900);
}

export type Outcome = "copied" | "skipped_missing" | "skipped_action";

export function signer(cfg: ReplicaConfig): AwsClient {
  // retries: 0 because the body is a one-shot stream; the queue's retry is the retry.
  return new AwsClient({
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey,
    service: "s3",
    region: cfg.region,
    retries: 0,
  });
}

function base64(bytes: ArrayBuffer): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

const COPIED_HTTP_METADATA = [
  ["contentType", "content-type"],
  ["contentDisposition", "content-disposition"],
  ["contentEncoding", "content-encoding"],
  ["contentLanguage", "content-language"],
  ["cacheControl", "cache-control"],
] as const;

/**
 * Copies the object an event names from R2 to the S3 replica. Reads the object as it is now:
 * if it was overwritten since the event, the newer version is copied (its own event copies it
 * again, which only adds a duplicate S3 version). Throws when S3 does not accept the copy.
 */
export async function replicate(
  event: R2EventNotification,
  bucket: R2Bucket,
  cfg: ReplicaConfig,
  client: AwsClient,
): Promise<Outcome> {
  if (!REPLICATED_ACTIONS.includes(event.action)) return "skipped_action";
  const object = await bucket.get(event.object.key);
  if (object === null) return "skipped_missing";

  const headers = new Headers();
  for (const [field, header] of COPIED_HTTP_METADATA) {
    const value = object.httpMetadata?.[field];
    if (typeof value === "string" && value !== "") headers.set(header, value);
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
  headers.set("x-amz-meta-r2-etag", object.etag);
  if (event.eventTime !== undefined) headers.set("x-amz-meta-r2-event-time", event.eventTime);
  // The body is streamed unsigned (over TLS); Content-MD5, when R2 has it, makes S3 reject
  // any byte that changed on the way.
  headers.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  const md5 = object.checksums.md5;
  if (md5 !== undefined) headers.set("content-md5", base64(md5));

  // R2's body stream has a known length, so the upload carries Content-Length (S3 refuses
  // chunked PUTs); test/replicator.test.ts checks that header on every copy.
  const response = await client.fetch(replicaUrl(cfg, event.object.key), {
    method: "PUT",
    headers,
    body: object.body,
  });
  if (!response.ok) {
    const detail = (await response.text()).slice(0, 500);
    const code = /<Code>([^<]+)<\/Code>/.exec(detail)?.[1] ?? "unknown";
    throw new Error(`S3 refused the copy with HTTP ${response.status} ${code}`);
  }
  await response.body?.cancel();
  return "copied";
}
