import { AwsClient } from "aws4fetch";
import type { ReplicaConfig } from "./replication";

/** One copy the replicator gave up on, as on-call needs to see it. */
export interface FailedCopy {
  key: string;
  attempts: number;
  error: string;
}

// SNS limits: a subject of at most 100 characters, a message of at most 256 KB. A batch is
// small (the dead-letter consumer's batchSize), but keys are listed up to a bound anyway.
const MAX_LISTED = 50;

export function alertText(
  failures: FailedCopy[],
  cfg: ReplicaConfig,
  bucket: string,
): { subject: string; message: string } {
  const n = failures.length;
  const subject = `ARA: ${n} report cop${n === 1 ? "y" : "ies"} to the S3 replica failed`;
  const lines = failures
    .slice(0, MAX_LISTED)
    .map((f) => `- ${f.key} (${f.attempts} attempts): ${f.error}`);
  if (n > MAX_LISTED) lines.push(`- … and ${n - MAX_LISTED} more (see the replicator's logs)`);
  const message = [
    `The replicator gave up copying ${n} object${n === 1 ? "" : "s"} from R2 bucket ${bucket}`,
    `to the versioned S3 replica ${cfg.bucket} (${cfg.region}). The originals are still in R2;`,
    "until they are copied, they have no versioned backup.",
    "",
    ...lines,
    "",
    'What to do: docs/operations.md, "A report copy to the replica failed".',
  ].join("\n");
  return { subject, message };
}

/** Publishes to the alert topic (SNS Publish, SigV4 with the replicator's key); throws on refusal. */
export async function publishAlert(
  cfg: ReplicaConfig,
  alert: { subject: string; message: string },
): Promise<string> {
  const client = new AwsClient({
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey,
    service: "sns",
    region: cfg.alert.region,
    retries: 0,
  });
  const body = new URLSearchParams({
    Action: "Publish",
    Version: "2010-03-31",
    TopicArn: cfg.alert.topicArn,
    Subject: alert.subject,
    Message: alert.message,
  });
  const response = await client.fetch(`${cfg.alert.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: body.toString(),
  });
  const text = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "unknown";
    throw new Error(`SNS refused the alert with HTTP ${response.status} ${code}`);
  }
  return /<MessageId>([^<]+)<\/MessageId>/.exec(text)?.[1] ?? "";
}
