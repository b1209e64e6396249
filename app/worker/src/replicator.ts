import { alertText, publishAlert, type FailedCopy } from "./alerts";
import type { ReplicatorEnv } from "./env";
import {
  parseEvent,
  readReplicaConfig,
  replicate,
  retryDelaySeconds,
  signer,
  type ReplicaConfig,
} from "./replication";

// Subrequests run in parallel up to this count; Workers allows six open connections.
const CONCURRENCY = 4;

function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

async function handle(message: Message<unknown>, env: ReplicatorEnv, cfg: ReplicaConfig) {
  const event = parseEvent(message.body);
  if (event === null) {
    // Retrying cannot fix a body that names no object; it would only reach the dead-letter queue.
    log("error", "not an R2 event notification; dropped", { id: message.id });
    message.ack();
    return;
  }
  const fields = { id: message.id, key: event.object.key, action: event.action };
  try {
    const outcome = await replicate(event, env.REPORTS, cfg, signer(cfg));
    log(outcome === "copied" ? "info" : "warn", outcome, fields);
    message.ack();
  } catch (err) {
    const delaySeconds = retryDelaySeconds(message.attempts);
    log("error", "copy failed; will retry", {
      ...fields,
      attempts: message.attempts,
      delaySeconds,
      error: String(err),
    });
    message.retry({ delaySeconds });
  }
}

/**
 * A batch from the dead-letter queue: events whose copy failed on every retry. Each gets one
 * last attempt (the outage may be over); what still fails is reported to the alert topic in
 * one message per batch, and acked once the alert is accepted, so on-call hears of every lost
 * copy exactly once. If the alert itself cannot be sent, the messages are retried.
 */
async function handleDeadLetters(
  batch: MessageBatch<unknown>,
  env: ReplicatorEnv,
  cfg: ReplicaConfig,
) {
  const failed: { message: Message<unknown>; failure: FailedCopy }[] = [];
  let bucket = "";
  for (const message of batch.messages) {
    const event = parseEvent(message.body);
    if (event === null) {
      log("error", "not an R2 event notification; dropped", { id: message.id });
      message.ack();
      continue;
    }
    bucket = event.bucket;
    const fields = {
      id: message.id,
      key: event.object.key,
      action: event.action,
      deadLetter: true,
    };
    try {
      const outcome = await replicate(event, env.REPORTS, cfg, signer(cfg));
      log("info", `${outcome} on the last attempt`, fields);
      message.ack();
    } catch (err) {
      log("error", "copy failed for good", { ...fields, error: String(err) });
      failed.push({
        message,
        failure: { key: event.object.key, attempts: message.attempts, error: String(err) },
      });
    }
  }
  if (failed.length === 0) return;
  try {
    const id = await publishAlert(
      cfg,
      alertText(
        failed.map((f) => f.failure),
        cfg,
        bucket,
      ),
    );
    log("warn", "alert sent for failed copies", { count: failed.length, alertMessageId: id });
    for (const f of failed) f.message.ack();
  } catch (err) {
    log("error", "alert could not be sent; will retry", { error: String(err) });
    for (const f of failed)
      f.message.retry({ delaySeconds: retryDelaySeconds(f.message.attempts) });
  }
}

/**
 * The R2 versioning substitute: consumes R2 event notifications from a Queue and copies each
 * new object to a versioned S3 bucket. Acks copies and vanished objects, retries failures;
 * after the last retry an event lands in the dead-letter queue, which this worker consumes too.
 */
export default {
  async fetch() {
    return new Response(
      JSON.stringify({ error: "not_found", message: "The replicator only consumes its queue." }),
      { status: 404, headers: { "content-type": "application/json; charset=utf-8" } },
    );
  },

  async queue(batch, env) {
    let cfg: ReplicaConfig;
    try {
      cfg = readReplicaConfig(env);
    } catch (err) {
      log("error", "replicator misconfigured; retrying the batch", { error: String(err) });
      for (const message of batch.messages) {
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
      return;
    }
    if (batch.queue === cfg.deadLetterQueue) {
      await handleDeadLetters(batch, env, cfg);
      return;
    }
    const pending = [...batch.messages];
    const workers = Array.from({ length: Math.min(CONCURRENCY, pending.length) }, async () => {
      for (let m = pending.shift(); m !== undefined; m = pending.shift()) await handle(m, env, cfg);
    });
    await Promise.all(workers);
  },
} satisfies ExportedHandler<ReplicatorEnv, unknown>;
