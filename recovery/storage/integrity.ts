// The scheduled data integrity check: a random sample of R2's reports compared with their copy
// in the S3 replica (size, and MD5 through R2's ETag and the copy's x-amz-meta-r2-etag). A
// mismatch or a missing copy is published to the stack's SNS alert topic, the same path the
// replicator's dead-letter alerts take (app/worker/src/alerts.ts), and fails the job.
import { randomInt } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { headObject, listObjects, type Bucket } from "./s3";

export interface AlertTopic {
  endpoint: string;
  topicArn: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface IntegrityReport {
  kind: "integrity";
  ok: boolean;
  sampled: number;
  of: number;
  problems: Array<{ key: string; problem: string }>;
  alerted: boolean;
}

const clean = (etag: string) => etag.replace(/"/g, "");

export async function checkIntegrity(o: {
  r2: Bucket;
  replica: Bucket;
  prefix: string;
  sample: number;
  alert?: AlertTopic;
  stack: string;
}): Promise<IntegrityReport> {
  const all = await listObjects(o.r2, o.prefix);
  // Partial Fisher-Yates: an unbiased sample without copying the list twice.
  const n = Math.min(o.sample, all.length);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(all.length - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const problems: IntegrityReport["problems"] = [];
  for (const obj of all.slice(0, n)) {
    const copy = await headObject(o.replica, obj.key);
    if (!copy) problems.push({ key: obj.key, problem: "no copy in the replica" });
    else if (copy.size !== obj.size) {
      problems.push({
        key: obj.key,
        problem: `size ${obj.size} in R2, ${copy.size} in the replica`,
      });
    } else {
      const copied = clean(copy.meta["r2-etag"] ?? copy.etag);
      if (copied !== clean(obj.etag)) {
        problems.push({
          key: obj.key,
          problem: `ETag ${clean(obj.etag)} in R2, ${copied} in the replica`,
        });
      }
    }
  }
  let alerted = false;
  if (problems.length > 0 && o.alert) {
    await publish(o.alert, {
      subject: `[ara ${o.stack}] report integrity check: ${problems.length} of ${n} sampled objects differ`,
      message: [
        `The integrity check compared ${n} of ${all.length} reports in R2 with the S3 replica.`,
        ...problems.map((p) => `- ${p.key}: ${p.problem}`),
        "See docs/disaster-recovery.md, 'Storage integrity alert'.",
      ].join("\n"),
    });
    alerted = true;
  }
  return {
    kind: "integrity",
    ok: problems.length === 0,
    sampled: n,
    of: all.length,
    problems,
    alerted,
  };
}

/** SNS Publish (Query API, SigV4 for service sns), as app/worker/src/alerts.ts sends it. */
export async function publish(
  t: AlertTopic,
  alert: { subject: string; message: string },
): Promise<void> {
  const client = new AwsClient({
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    sessionToken: t.sessionToken,
    service: "sns",
    region: t.region,
    retries: 2,
  });
  const res = await client.fetch(`${t.endpoint.replace(/\/+$/, "")}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams({
      Action: "Publish",
      Version: "2010-03-31",
      TopicArn: t.topicArn,
      // SNS caps subjects at 100 characters.
      Subject: alert.subject.slice(0, 100),
      Message: alert.message,
    }).toString(),
  });
  if (!res.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1] ?? "unknown";
    throw new Error(`SNS refused the integrity alert with HTTP ${res.status} ${code}`);
  }
}
