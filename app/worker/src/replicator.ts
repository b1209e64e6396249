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
 * The R2 versioning substitute: consumes R2 event notifications from a Queue and copies each
 * new object to a versioned S3 bucket. Acks copies and vanished objects, retries failures.
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
    const pending = [...batch.messages];
    const workers = Array.from({ length: Math.min(CONCURRENCY, pending.length) }, async () => {
      for (let m = pending.shift(); m !== undefined; m = pending.shift()) await handle(m, env, cfg);
    });
    await Promise.all(workers);
  },
} satisfies ExportedHandler<ReplicatorEnv, unknown>;
