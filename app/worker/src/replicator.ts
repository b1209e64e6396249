import type { AwsClient } from "aws4fetch";
import { alertText, publishAlert, type FailedCopy } from "./alerts";
import type { ReplicatorEnv } from "./env";
import {
  parseEvent,
  readReplicaConfig,
  replicate,
  retryDelaySeconds,
  signer,
  type R2EventNotification,
  type ReplicaConfig,
} from "./replication";

// Subrequests run in parallel up to this count; Workers allows six open connections.
const CONCURRENCY = 4;

function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

/** A copy that failed: the caller retries it, or reports it from the dead-letter queue. */
interface Failure {
  message: Message<unknown>;
  event: R2EventNotification;
  fields: Record<string, unknown>;
  error: string;
}

/**
 * One copy attempt. A body that names no object is dropped (retrying cannot fix it, it would
 * only reach the dead-letter queue); a copy, a vanished object or an action that is not
 * copied is acked; a failure is returned, unacked.
 */
async function attempt(
  message: Message<unknown>,
  env: ReplicatorEnv,
  cfg: ReplicaConfig,
  client: AwsClient,
  context: Record<string, unknown> = {},
): Promise<Failure | undefined> {
  const event = parseEvent(message.body);
  if (event === null) {
    log("error", "not an R2 event notification; dropped", { id: message.id });
    message.ack();
    return undefined;
  }
  const fields = { id: message.id, key: event.object.key, action: event.action, ...context };
  try {
    const outcome = await replicate(event, env.REPORTS, cfg, client);
    log(outcome === "copied" ? "info" : "warn", outcome, fields);
    message.ack();
    return undefined;
  } catch (err) {
    return { message, event, fields, error: String(err) };
  }
}

/** Runs `fn` over the messages, CONCURRENCY at a time; returns the failures. */
async function attemptAll(
  messages: readonly Message<unknown>[],
  fn: (message: Message<unknown>) => Promise<Failure | undefined>,
): Promise<Failure[]> {
  const pending = [...messages];
  const failures: Failure[] = [];
  const workers = Array.from({ length: Math.min(CONCURRENCY, pending.length) }, async () => {
    for (let m = pending.shift(); m !== undefined; m = pending.shift()) {
      const failure = await fn(m);
      if (failure) failures.push(failure);
    }
  });
  await Promise.all(workers);
  return failures;
}

const retryLater = (message: Message<unknown>) =>
  message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });

/**
 * A batch from the dead-letter queue: events whose copy failed on every retry. Each gets one
 * last attempt (the outage may be over); what still fails is reported to the alert topic in
 * one message per batch, and acked once the alert is accepted, so on-call hears of every lost
 * copy exactly once. If the alert itself cannot be sent, the messages are retried.
 */
async function reportDeadLetters(failed: Failure[], cfg: ReplicaConfig) {
  for (const f of failed) log("error", "copy failed for good", { ...f.fields, error: f.error });
  const copies: FailedCopy[] = failed.map((f) => ({
    key: f.event.object.key,
    attempts: f.message.attempts,
    error: f.error,
  }));
  try {
    const id = await publishAlert(cfg, alertText(copies, cfg, failed[0]!.event.bucket));
    log("warn", "alert sent for failed copies", { count: failed.length, alertMessageId: id });
    for (const f of failed) f.message.ack();
  } catch (err) {
    log("error", "alert could not be sent; will retry", { error: String(err) });
    for (const f of failed) retryLater(f.message);
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
      for (const message of batch.messages) retryLater(message);
      return;
    }
    const client = signer(cfg);
    if (batch.queue === cfg.deadLetterQueue) {
      const failed = await attemptAll(batch.messages, (m) =>
        attempt(m, env, cfg, client, { deadLetter: true }),
      );
      if (failed.length > 0) await reportDeadLetters(failed, cfg);
      return;
    }
    const failed = await attemptAll(batch.messages, (m) => attempt(m, env, cfg, client));
    for (const f of failed) {
      const delaySeconds = retryDelaySeconds(f.message.attempts);
      log("error", "copy failed; will retry", {
        ...f.fields,
        attempts: f.message.attempts,
        delaySeconds,
        error: f.error,
      });
      f.message.retry({ delaySeconds });
    }
  },
} satisfies ExportedHandler<ReplicatorEnv, unknown>;
