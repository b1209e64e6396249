import type { Context } from "hono";
import { APP_LOGS_PATH } from "./contract";
import type { Env } from "./env";
import { HttpError } from "./errors";
import { secretsEqual } from "./signing";

// POST /r2/logs/app: the web app's log archive. The app buffers its (already scrubbed) log
// lines and sends them in batches, gzip-compressed NDJSON; each accepted batch is stored as it
// arrived, one object `app/<yyyy>/<mm>/<dd>/<hhmmss>Z-<uuid>.ndjson.gz` in the stack's log
// archive bucket (LOG_ARCHIVE), whose lifecycle deletes it at the stack's log retention. A batch
// is checked whole before anything is written: a refused request writes nothing.

export { APP_LOGS_PATH };
/** Largest compressed batch accepted; the app sends ~256 KB of lines, ~25 KB compressed. */
export const MAX_LOG_BATCH_BYTES = 1024 * 1024;
/** Largest batch once inflated: a bound on the worker's memory and CPU (a gzip bomb is 413). */
export const MAX_LOG_BATCH_INFLATED_BYTES = 16 * 1024 * 1024;
/** The batch is a gzip file: stored as is, never inflated by a proxy on the way. */
export const LOG_BATCH_CONTENT_TYPE = "application/gzip";

type LogsContext = Context<{ Bindings: Env }>;

function archiveOf(env: Env): R2Bucket {
  const bucket = env.LOG_ARCHIVE as R2Bucket | undefined;
  if (bucket === undefined || bucket === null || typeof bucket.put !== "function") {
    throw new HttpError(
      404,
      "log_archive_disabled",
      "This stack has no log archive (ara:observability.logs.appArchive is off); turn it on, or unset the app's LOG_ARCHIVE_URL.",
    );
  }
  return bucket;
}

/** Bearer LOG_INGEST_TOKEN, compared in constant time; the signer's token is not accepted. */
async function authorizeIngest(c: LogsContext): Promise<void> {
  const expected = c.env.LOG_INGEST_TOKEN;
  if (typeof expected !== "string" || expected === "") {
    throw new HttpError(
      500,
      "misconfigured",
      "The LOG_INGEST_TOKEN secret is not set; `pulumi up` binds it with LOG_ARCHIVE (components/observability/logs.ts).",
    );
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header("authorization") ?? "");
  if (match === null || !(await secretsEqual(match[1] as string, expected))) {
    throw new HttpError(
      401,
      "unauthorized",
      "Send `Authorization: Bearer <LOG_INGEST_TOKEN>`; the token is missing or wrong.",
      { "www-authenticate": 'Bearer realm="ara-logs"' },
    );
  }
}

function tooLarge(message: string): HttpError {
  return new HttpError(413, "payload_too_large", message);
}

function invalid(code: string, message: string): HttpError {
  return new HttpError(400, code, message);
}

/** Reads a stream to its end, refusing (413) once it passes `limit` bytes. */
async function readAtMost(
  body: ReadableStream<Uint8Array>,
  limit: number,
  overflow: () => HttpError,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw overflow();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

async function readBatch(c: LogsContext): Promise<Uint8Array> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== LOG_BATCH_CONTENT_TYPE) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send the batch as \`Content-Type: ${LOG_BATCH_CONTENT_TYPE}\`: gzip-compressed NDJSON, one log record per line.`,
    );
  }
  const limitText = `The batch is larger than ${MAX_LOG_BATCH_BYTES} bytes compressed; send smaller batches.`;
  const declared = c.req.header("content-length");
  if (
    declared !== undefined &&
    /^[0-9]+$/.test(declared) &&
    Number(declared) > MAX_LOG_BATCH_BYTES
  ) {
    throw tooLarge(limitText);
  }
  const body = c.req.raw.body;
  const gz =
    body === null
      ? new Uint8Array(0)
      : await readAtMost(body, MAX_LOG_BATCH_BYTES, () => tooLarge(limitText));
  if (gz.byteLength < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw invalid(
      "invalid_gzip",
      "The body must be a gzip file (it does not start with the gzip header).",
    );
  }
  return gz;
}

async function inflate(gz: Uint8Array): Promise<string> {
  const stream = new Response(gz).body!.pipeThrough(new DecompressionStream("gzip"));
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(stream, MAX_LOG_BATCH_INFLATED_BYTES, () =>
      tooLarge(
        `The batch inflates to more than ${MAX_LOG_BATCH_INFLATED_BYTES} bytes; send smaller batches.`,
      ),
    );
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw invalid(
      "invalid_gzip",
      "The body is not a complete gzip stream; send the whole compressed batch.",
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid("invalid_batch", "The inflated batch is not UTF-8 text.");
  }
}

export interface BatchSummary {
  records: number;
  /** Earliest and latest record time, ISO-8601. */
  first: string;
  last: string;
}

function recordTime(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : NaN;
  if (typeof value === "string" && value !== "") return Date.parse(value);
  return NaN;
}

/**
 * Every line one JSON object with a `time` (ISO-8601 or epoch milliseconds) and a `level`
 * (a name such as "info", or pino's number); a final newline is allowed, empty lines are not.
 */
export function validateBatch(text: string): BatchSummary {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw invalid("invalid_batch", "The batch holds no log records.");
  let first = Infinity;
  let last = -Infinity;
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw invalid("invalid_batch", `${where} is not JSON; send one JSON object per line.`);
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw invalid("invalid_batch", `${where} is not a JSON object.`);
    }
    const { time, level } = record as Record<string, unknown>;
    const t = recordTime(time);
    if (Number.isNaN(t)) {
      throw invalid(
        "invalid_batch",
        `${where} has no valid "time" (ISO-8601 or epoch milliseconds).`,
      );
    }
    const levelOk =
      (typeof level === "string" && level !== "" && level.length <= 32) || Number.isInteger(level);
    if (!levelOk) {
      throw invalid("invalid_batch", `${where} has no "level" (e.g. "info", or pino's 30).`);
    }
    first = Math.min(first, t);
    last = Math.max(last, t);
  });
  return {
    records: lines.length,
    first: new Date(first).toISOString(),
    last: new Date(last).toISOString(),
  };
}

/** `app/<yyyy>/<mm>/<dd>/<hhmmss>Z-<uuid>.ndjson.gz`, by the time the batch arrived (UTC). */
export function archiveKey(at: Date, id: string): string {
  const iso = at.toISOString(); // 2026-11-30T12:34:56.789Z
  const [y, m, d] = iso.slice(0, 10).split("-");
  const hms = iso.slice(11, 19).replace(/:/g, "");
  return `app/${y}/${m}/${d}/${hms}Z-${id}.ndjson.gz`;
}

/** POST /r2/logs/app: 201 `{key, records}`; 404 without an archive, 401, 415, 413, 400, 503. */
export async function handleAppLogs(c: LogsContext): Promise<Response> {
  const bucket = archiveOf(c.env);
  await authorizeIngest(c);
  const gz = await readBatch(c);
  const summary = validateBatch(await inflate(gz));
  const key = archiveKey(new Date(), crypto.randomUUID());
  try {
    await bucket.put(key, gz, {
      httpMetadata: { contentType: LOG_BATCH_CONTENT_TYPE },
      customMetadata: {
        records: String(summary.records),
        first: summary.first,
        last: summary.last,
      },
    });
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "R2 put failed",
        bucket: "LOG_ARCHIVE",
        error: String(err),
      }),
    );
    throw new HttpError(503, "bucket_unavailable", "R2 did not store the batch; retry later.");
  }
  return c.json({ key, records: summary.records }, 201, { "cache-control": "no-store" });
}
