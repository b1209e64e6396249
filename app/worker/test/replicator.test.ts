import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import contract from "../contract.json";
import { encodeS3Key, parseEvent, replicaUrl, retryDelaySeconds } from "../src/replication";
import { bytes, DIST_REPLICATOR } from "./helpers/signer";
import { expectBytes } from "./helpers/assert";
import { WorkerLogs } from "./helpers/logs";
import { LocalS3, S3_KEY_ID, S3_SECRET } from "./helpers/s3";
import { LocalSns } from "./helpers/sns";

const BUCKET = "ara-replica";
const REGION = contract.replicator.defaults.REPLICA_REGION;
const r = contract.replicator.bindings;
const EVENTS_QUEUE = "ara-r2-events";
const DEAD_LETTERS = "ara-r2-events-dlq";
// The alert topic lives in another region than the replica: each must be signed for its own.
const ALERT_REGION = "us-east-1";
const TOPIC_ARN = `arn:aws:sns:${ALERT_REGION}:123456789012:ara-prod-alerts`;

interface QueueResult {
  outcome: string;
  ackAll: boolean;
  retryBatch: { retry: boolean };
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}
interface QueueMessage {
  id: string;
  timestamp: Date;
  body: unknown;
  attempts: number;
}

let s3: LocalS3;
let sns: LocalSns;
let mf: Miniflare;
const logs = new WorkerLogs();

function options(overrides: Record<string, unknown> = {}) {
  const bindings: Record<string, unknown> = {
    [r.replicaBucket]: BUCKET,
    [r.replicaEndpoint]: s3.endpoint,
    [r.awsAccessKeyId]: S3_KEY_ID,
    [r.awsSecretAccessKey]: S3_SECRET,
    [r.deadLetterQueue]: DEAD_LETTERS,
    [r.alertTopicArn]: TOPIC_ARN,
    [r.alertEndpoint]: sns.endpoint,
    ...overrides,
  };
  for (const k of Object.keys(bindings)) if (bindings[k] === undefined) delete bindings[k];
  return {
    modules: true,
    scriptPath: DIST_REPLICATOR,
    compatibilityDate: contract.compatibilityDate,
    r2Buckets: [r.bucket],
    // REPLICA_REGION is left unset: the copies must be signed for the us-west-2 default.
    bindings,
    host: "127.0.0.1",
    port: 0,
    handleStructuredLogs: logs.handleStructuredLogs,
  };
}

let seq = 0;
function event(
  key: string,
  action = "PutObject",
  extra: Record<string, unknown> = {},
): QueueMessage {
  return {
    id: `msg-${++seq}`,
    timestamp: new Date(),
    attempts: 1,
    body: {
      account: "0123456789abcdef0123456789abcdef",
      bucket: "ara-reports-prod",
      action,
      object: { key, size: 1, eTag: "00" },
      eventTime: new Date().toISOString(),
      ...extra,
    },
  };
}

async function deliver(messages: QueueMessage[], queue = EVENTS_QUEUE): Promise<QueueResult> {
  const worker = (await mf.getWorker()) as unknown as {
    queue(queue: string, messages: QueueMessage[]): Promise<QueueResult>;
  };
  return worker.queue(queue, messages);
}

async function putR2(key: string, data: Uint8Array, contentType = "application/pdf") {
  const bucket = await mf.getR2Bucket(r.bucket);
  return bucket.put(key, data, { httpMetadata: { contentType } });
}

beforeAll(async () => {
  s3 = await LocalS3.start(BUCKET, REGION);
  sns = await LocalSns.start(ALERT_REGION, TOPIC_ARN);
  mf = new Miniflare(options());
});
afterAll(async () => {
  await mf?.dispose();
  await s3?.stop();
  await sns?.stop();
});
let reconfigured = false;
/** Restarts the replicator with other bindings for one test; beforeEach restores them. */
async function reconfigure(overrides: Record<string, unknown>) {
  reconfigured = true;
  await mf.setOptions(options(overrides));
}
beforeEach(async () => {
  s3.seen.length = 0;
  s3.failNext = 0;
  sns.published.length = 0;
  sns.verdicts.length = 0;
  sns.failNext = 0;
  logs.clear();
  if (reconfigured) await mf.setOptions(options());
  reconfigured = false;
});

describe("replicator queue consumer", () => {
  it("copies a new object to S3 with the same bytes and type, signed with SigV4, and acks", async () => {
    const data = bytes(300_000, 11);
    const stored = await putR2("reports/one.pdf", data);
    const msg = event("reports/one.pdf");
    const result = await deliver([msg]);
    expect(result.explicitAcks).toEqual([msg.id]);
    expect(result.retryMessages).toEqual([]);

    const copy = await s3.get(BUCKET, "reports/one.pdf");
    expect(copy).not.toBeNull();
    expectBytes(copy?.bytes, data);
    expect(copy!.contentType).toBe("application/pdf");
    expect(copy!.meta["x-amz-meta-r2-etag"]).toBe(stored.etag);
    expect(copy!.etag).toBe(`"${createHash("md5").update(data).digest("hex")}"`);

    expect(s3.seen).toHaveLength(1);
    const put = s3.seen[0]!;
    expect(put.verdict).toBe("ok");
    expect(put.method).toBe("PUT");
    expect(put.headers.authorization).toContain(`/${REGION}/s3/aws4_request`);
    expect(put.headers["content-length"]).toBe(String(data.length));
    expect(put.headers["content-md5"]).toBe(createHash("md5").update(data).digest("base64"));
  });

  it("copies PutObject, CopyObject and CompleteMultipartUpload; acks deletes, vanished objects and junk without copying", async () => {
    for (const k of ["batch/put", "batch/copy", "batch/multipart"])
      await putR2(k, bytes(100, k.length));
    const messages = [
      event("batch/put", "PutObject"),
      event("batch/copy", "CopyObject", {
        copySource: { bucket: "ara-reports-prod", object: "batch/put" },
      }),
      event("batch/multipart", "CompleteMultipartUpload"),
      event("batch/put", "DeleteObject"),
      event("batch/put", "LifecycleDeletion"),
      event("batch/never-existed", "PutObject"),
      { id: "junk", timestamp: new Date(), attempts: 1, body: "not an event" },
    ];
    const result = await deliver(messages);
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual(messages.map((m) => m.id).sort());
    for (const k of ["batch/put", "batch/copy", "batch/multipart"]) {
      expect((await s3.get(BUCKET, k))?.bytes).toEqual(bytes(100, k.length));
    }
    expect(await s3.get(BUCKET, "batch/never-existed")).toBeNull();
    await logs.expectLogged({
      level: "error",
      msg: "not an R2 event notification; dropped",
      id: "junk",
    });
    await logs.expectLogged({ level: "warn", msg: "skipped_missing", key: "batch/never-existed" });
    expect(s3.seen.filter((s) => s.method === "PUT").map((s) => s.verdict)).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
  });

  it("signs keys with spaces, unicode and reserved characters so S3 accepts them", async () => {
    const keys = ["a b/c+d.pdf", "ünï/文件 (1).pdf", "it's!*~/x=y&z.pdf", "100%/done.pdf"];
    for (const k of keys) await putR2(k, bytes(10, k.length), "application/octet-stream");
    const result = await deliver(keys.map((k) => event(k)));
    expect(result.retryMessages).toEqual([]);
    expect(s3.seen.map((s) => s.verdict)).toEqual(keys.map(() => "ok"));
    for (const k of keys) {
      const copy = await s3.get(BUCKET, k);
      expect(copy?.bytes).toEqual(bytes(10, k.length));
      expect(copy?.contentType).toBe("application/octet-stream");
    }
  });

  it("retries with backoff while S3 fails, then copies once S3 is back", async () => {
    await putR2("retry/x.pdf", bytes(50, 3));
    s3.failNext = 1;
    const first = event("retry/x.pdf");
    const failed = await deliver([first]);
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toEqual([{ msgId: first.id, delaySeconds: retryDelaySeconds(1) }]);
    expect(s3.seen.map((s) => s.verdict)).toEqual(["outage"]);
    expect(await s3.get(BUCKET, "retry/x.pdf")).toBeNull();
    await logs.expectLogged({
      level: "error",
      msg: "copy failed; will retry",
      id: first.id,
      attempts: 1,
      delaySeconds: retryDelaySeconds(1),
      error: "Error: S3 refused the copy with HTTP 503 SlowDown",
    });

    const again = await deliver([{ ...first, attempts: 2 }]);
    expect(again.explicitAcks).toEqual([first.id]);
    expect((await s3.get(BUCKET, "retry/x.pdf"))?.bytes).toEqual(bytes(50, 3));
  });

  it("retries when the signature is refused (wrong secret): the proxy really verifies", async () => {
    await reconfigure({ [r.awsSecretAccessKey]: "not-the-secret" });
    await putR2("retry/sig.pdf", bytes(20));
    const msg = { ...event("retry/sig.pdf"), attempts: 3 };
    const result = await deliver([msg]);
    expect(result.retryMessages).toEqual([{ msgId: msg.id, delaySeconds: retryDelaySeconds(3) }]);
    expect(s3.seen.map((s) => s.verdict)).toEqual(["SignatureDoesNotMatch"]);
    expect(await s3.get(BUCKET, "retry/sig.pdf")).toBeNull();
  });

  it("retries when the region in the signature is wrong", async () => {
    await reconfigure({ [r.replicaRegion]: "eu-west-1" });
    await putR2("retry/region.pdf", bytes(20));
    const result = await deliver([event("retry/region.pdf")]);
    expect(result.retryMessages).toHaveLength(1);
    expect(s3.seen[0]?.verdict).toMatch(/region eu-west-1/);
  });

  it("retries when S3 cannot be reached", async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    await reconfigure({ [r.replicaEndpoint]: `http://127.0.0.1:${closed}` });
    await putR2("retry/down.pdf", bytes(20));
    const result = await deliver([event("retry/down.pdf")]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries every message while misconfigured", async () => {
    await reconfigure({ [r.replicaBucket]: undefined });
    const messages = [event("a"), event("b")];
    const result = await deliver(messages);
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(
      messages.map((m) => m.id).sort(),
    );
    expect(s3.seen).toEqual([]);
    await logs.expectLogged({
      level: "error",
      msg: "replicator misconfigured; retrying the batch",
      error: /REPLICA_BUCKET/,
    });
  });

  it("copies the current version when an older event arrives after an overwrite", async () => {
    await putR2("over/x.pdf", bytes(40, 1));
    const older = event("over/x.pdf");
    await putR2("over/x.pdf", bytes(40, 2));
    const newer = event("over/x.pdf");
    await deliver([older]);
    expect((await s3.get(BUCKET, "over/x.pdf"))?.bytes).toEqual(bytes(40, 2));
    await deliver([newer]);
    expect((await s3.get(BUCKET, "over/x.pdf"))?.bytes).toEqual(bytes(40, 2));
  });

  it("answers fetch with 404 JSON", async () => {
    const res = await mf.dispatchFetch("https://replicator.example.test/anything");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});

describe("replicator dead-letter queue", () => {
  it("alerts on-call once per batch for copies that still fail, naming each key, then acks", async () => {
    await putR2("dead/a.pdf", bytes(30, 1));
    await putR2("dead/b c.pdf", bytes(30, 2));
    s3.failNext = 2;
    const messages = [
      { ...event("dead/a.pdf"), attempts: 11 },
      { ...event("dead/b c.pdf"), attempts: 11 },
    ];
    const result = await deliver(messages, DEAD_LETTERS);
    expect(s3.seen.map((x) => x.verdict)).toEqual(["outage", "outage"]);
    expect(sns.verdicts).toEqual(["ok"]);
    expect(sns.published).toHaveLength(1);
    const alert = sns.published[0]!;
    expect(alert.topicArn).toBe(TOPIC_ARN);
    expect(alert.subject).toBe("ARA: 2 report copies to the S3 replica failed");
    expect(alert.message).toContain(
      "- dead/a.pdf (11 attempts): Error: S3 refused the copy with HTTP 503 SlowDown",
    );
    expect(alert.message).toContain("- dead/b c.pdf (11 attempts)");
    expect(alert.message).toContain(`to the versioned S3 replica ${BUCKET} (${REGION})`);
    expect(alert.message).not.toContain(S3_SECRET);
    expect([...result.explicitAcks].sort()).toEqual(messages.map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);
    expect(await s3.get(BUCKET, "dead/a.pdf")).toBeNull();
    const failures = await logs.expectLogged(
      { level: "error", msg: "copy failed for good", deadLetter: true },
      2,
    );
    expect(failures.map((l) => l.key).sort()).toEqual(["dead/a.pdf", "dead/b c.pdf"]);
    await logs.expectLogged({ level: "warn", msg: "alert sent for failed copies", count: 2 });
  });

  it("copies without alerting when the last attempt succeeds", async () => {
    await putR2("dead/recovered.pdf", bytes(30, 3));
    const msg = { ...event("dead/recovered.pdf"), attempts: 11 };
    const result = await deliver([msg], DEAD_LETTERS);
    expect(result.explicitAcks).toEqual([msg.id]);
    expect(sns.verdicts).toEqual([]);
    expect((await s3.get(BUCKET, "dead/recovered.pdf"))?.bytes).toEqual(bytes(30, 3));
  });

  it("keeps the failures for a retry when the alert cannot be sent", async () => {
    await putR2("dead/unsent.pdf", bytes(30, 4));
    s3.failNext = 1;
    sns.failNext = 1;
    const msg = { ...event("dead/unsent.pdf"), attempts: 2 };
    const result = await deliver([msg], DEAD_LETTERS);
    expect(sns.verdicts).toEqual(["throttled"]);
    expect(sns.published).toEqual([]);
    await logs.expectLogged({ level: "error", msg: "alert could not be sent; will retry" });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: msg.id, delaySeconds: retryDelaySeconds(2) }]);
  });

  it("signs the alert for the topic's region, not the replica's", async () => {
    await reconfigure({ [r.alertTopicArn]: TOPIC_ARN.replace(ALERT_REGION, "eu-west-1") });
    await putR2("dead/region.pdf", bytes(30, 5));
    s3.failNext = 1;
    const result = await deliver([event("dead/region.pdf")], DEAD_LETTERS);
    expect(sns.verdicts).toEqual([`signed for region eu-west-1, expected ${ALERT_REGION}`]);
    expect(result.retryMessages).toHaveLength(1);
  });

  it("retries every message while ALERT_TOPIC_ARN is not a topic ARN", async () => {
    await reconfigure({ [r.alertTopicArn]: "ara-prod-alerts" });
    const msg = event("dead/any.pdf");
    const result = await deliver([msg], DEAD_LETTERS);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([msg.id]);
    expect(s3.seen).toEqual([]);
    expect(sns.verdicts).toEqual([]);
  });
});

describe("replicator through Miniflare's queue broker", () => {
  it("consumes a produced R2 event and lands the copy", async () => {
    const broker = new Miniflare({
      host: "127.0.0.1",
      port: 0,
      handleStructuredLogs: logs.handleStructuredLogs,
      r2Buckets: [r.bucket],
      workers: [
        {
          ...options(),
          name: "replicator",
          queueConsumers: { "ara-r2-events": { maxBatchSize: 10, maxBatchTimeout: 0 } },
        },
        {
          name: "r2-notifications",
          modules: true,
          compatibilityDate: contract.compatibilityDate,
          queueProducers: { EVENTS: "ara-r2-events" },
          script: `export default { async fetch(req, env) { await env.EVENTS.send(await req.json()); return new Response("sent"); } }`,
        },
      ],
    } as ConstructorParameters<typeof Miniflare>[0]);
    try {
      const data = bytes(2048, 21);
      await (
        await broker.getR2Bucket(r.bucket)
      ).put("broker/x.pdf", data, {
        httpMetadata: { contentType: "application/pdf" },
      });
      const producer = await broker.getWorker("r2-notifications");
      await producer.fetch("http://producer/", {
        method: "POST",
        body: JSON.stringify(event("broker/x.pdf").body),
      });
      const deadline = Date.now() + 15_000;
      let copy = await s3.get(BUCKET, "broker/x.pdf");
      while (copy === null && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100));
        copy = await s3.get(BUCKET, "broker/x.pdf");
      }
      expect(copy?.bytes).toEqual(data);
    } finally {
      await broker.dispose();
    }
  });
});

describe("replication helpers", () => {
  it("parses only R2 event notifications", () => {
    expect(parseEvent(event("k").body)?.object.key).toBe("k");
    for (const junk of [
      null,
      "x",
      {},
      { action: "PutObject", bucket: "b" },
      { action: 1, bucket: "b", object: { key: "k" } },
      { action: "PutObject", bucket: "b", object: { key: "" } },
    ]) {
      expect(parseEvent(junk)).toBeNull();
    }
  });

  it("builds virtual-hosted AWS URLs by default and path-style URLs on a custom endpoint", () => {
    const cfg = {
      bucket: "ara-replica",
      region: "us-west-2",
      accessKeyId: "a",
      secretAccessKey: "s",
    };
    expect(replicaUrl(cfg, "reports/a b(1).pdf")).toBe(
      "https://ara-replica.s3.us-west-2.amazonaws.com/reports/a%20b%281%29.pdf",
    );
    expect(replicaUrl({ ...cfg, endpoint: "http://127.0.0.1:9000" }, "x/y")).toBe(
      "http://127.0.0.1:9000/ara-replica/x/y",
    );
    expect(encodeS3Key("a+b/c!d*e'f")).toBe("a%2Bb/c%21d%2Ae%27f");
  });

  it("backs off 10 s, 20 s, 40 s … up to 15 minutes", () => {
    expect([1, 2, 3, 4, 7, 20].map(retryDelaySeconds)).toEqual([10, 20, 40, 80, 640, 900]);
    expect(retryDelaySeconds(0)).toBe(10);
  });
});
