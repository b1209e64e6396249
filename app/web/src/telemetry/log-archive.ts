import type { Counter } from "@opentelemetry/api";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { Logger } from "../logger";
import { scrubText } from "./sentry";

// The app's log lines, kept for the stack's retention: a copy of every line the logger writes
// is buffered in the instance and sent in batches (gzip-compressed NDJSON) to the signer
// worker's POST /r2/logs/app, which stores each batch as one object in the stack's log archive
// (R2, deleted by the bucket's lifecycle at the retention). Batches, not requests: a batch goes
// once it holds `batchBytes` of lines or its oldest line is `maxAgeMs` old, and only from the
// flush after a round of responses (on Vercel inside waitUntil, src/vercel.ts) or a timer (the
// Node server).
// The archive never fails or slows a request: adding a line copies it into the batch after a
// test of a microsecond or two (archivableAsWritten); only the rare line that needs scrubbing
// (an error's, say) is parsed and re-written first. The compression and the upload happen
// after the response, each upload gives up after `timeoutMs`, and a batch that cannot be
// delivered is dropped and counted in ara_telemetry_dropped_total{signal="logs"}.
//
// A batch is a buffer outside the JavaScript heap, and a line is copied into it as it is
// written: the line itself is garbage at once. Kept as strings until the upload, a second's
// lines outlived the young-generation collections that ran meanwhile, which copied them each
// time and then promoted them.

const gzip = promisify(gzipCallback);

/** Largest batch of lines: its gzip is always under the worker's 1 MiB limit. */
export const MAX_BATCH_BYTES = 1_000_000;
/** Batches waiting while the endpoint is slow or away; past this the oldest is dropped. */
export const MAX_WAITING_BATCHES = 4;

export interface LogArchiveOptions {
  /** The worker's endpoint, `https://api.<domain>/r2/logs/app` (LOG_ARCHIVE_URL). */
  url: string;
  /** Its bearer token (LOG_ARCHIVE_TOKEN, the worker's LOG_INGEST_TOKEN). */
  token: string;
  /** A batch is due once it holds this many bytes of lines (at most MAX_BATCH_BYTES). */
  batchBytes: number;
  /** ...or once its oldest line is this old. */
  maxAgeMs: number;
  /** Upper bound on one upload. */
  timeoutMs: number;
  /** The Node server checks on a timer as well; a Vercel instance only after its responses. */
  timer: boolean;
}

export interface LogArchive {
  /** Keeps a copy of a line the logger wrote (pino's streamWrite hook). Never throws. */
  add(line: string): void;
  /** Sends the buffered lines if they are due (size or age). Never rejects. */
  flushIfDue(): Promise<void>;
  /** Sends everything buffered now (shutdown, tests). Never rejects. */
  flush(): Promise<void>;
  /** Where dropped batches are counted and upload failures logged, once telemetry exists. */
  attach(sinks: { dropped: Counter; logger: Logger }): void;
  close(): Promise<void>;
}

// Never written to the archive, at any depth: the same fields the error reports remove, and
// the logger's redaction list. Every other string is scrubbed of emails, bearer tokens,
// credentials in URLs, JWTs and token-like runs (scrubText, as for Sentry).
const REDACTED_KEYS =
  "authorization|proxy-authorization|cookie|cookies|set-cookie|email|password|token|access_?token|refresh_?token|body|data|headers|query_string|url|download_?url|connection_?string|database_url|migration_database_url|redis_url|signer_token|jwt_secret|data_key|log_archive_token|smtp_password";
const REDACTED_KEY = new RegExp(`^(?:${REDACTED_KEYS})$`, "i");
// Ids the records are found by: hex and UUIDs that the token pattern would otherwise remove.
const KEEP = new Set(["trace_id", "span_id", "request_id", "parent_span_id", "time", "level"]);

/** Longer strings are cut before they are scrubbed: they bound the scrubbing's cost. */
export const MAX_ARCHIVED_STRING = 2048;
// scrubText's patterns other than the two that need an "@" (emails, credentials in URLs).
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
const TOKENISH = /[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]+){0,2}/g;

/**
 * scrubText, cut to MAX_ARCHIVED_STRING. Its email pattern takes time quadratic in a run of
 * address characters (about 1 s for 20,000 of them) and can only match where there is an "@",
 * as can the URL-credentials pattern; strings without one get the other patterns only, with the
 * same result (test/log-archive.test.ts compares them).
 */
export function scrubArchived(text: string): string {
  const t =
    text.length > MAX_ARCHIVED_STRING ? `${text.slice(0, MAX_ARCHIVED_STRING)}…[cut]` : text;
  if (t.includes("@")) return scrubText(t);
  if (t.length < 32 && !t.includes("Bearer") && !t.includes("eyJ")) return t;
  return t
    .replace(BEARER, "Bearer [redacted]")
    .replace(JWT, "[redacted]")
    .replace(TOKENISH, "[redacted]");
}

function scrubValue(v: unknown, key: string): unknown {
  if (typeof v === "string") return KEEP.has(key) ? v : scrubArchived(v);
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, key));
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) =>
        REDACTED_KEY.test(k) ? [k, "[redacted]"] : [k, scrubValue(x, k)],
      ),
    );
  }
  return v;
}

// The test of a line that can be archived as it was written (see archiveRecord). Without a
// backslash, a JSON text has no escapes: what lies between its quotes is the string itself, so
// these tests on the text are tests on its strings and keys.
const NEEDS_SCRUBBING = /[@\\]|Bearer|eyJ/;
const REDACTED_KEY_IN_TEXT = new RegExp(`"(?:${REDACTED_KEYS})":`, "i");
// How pino starts every line of src/logger.ts: the record's level, then its time.
const LEVEL_AND_TIME_FIRST = /^\{"level":"[a-z]+","time":"/;
const LEVEL_OR_TIME_AGAIN = /"(?:level|time)":/;
const KEPT_ID_BEFORE = /"(?:trace_id|span_id|request_id|parent_span_id)":"$/;

// A-Z a-z 0-9 _ -: the characters of TOKENISH's runs.
function isTokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45
  );
}

/**
 * Whether every run of 32 or more token characters in `line` starts the value of a kept id.
 * A loop, not /[A-Za-z0-9_-]{32,}/g: that pattern retries every shorter run from each of its
 * characters, three times the cost of the rest of archivableAsWritten.
 */
function tokenRunsAreKeptIds(line: string): boolean {
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 0;
    if (isTokenChar(c)) {
      if (start < 0) start = i;
      continue;
    }
    // A kept id's value is kept whole, whatever follows the run in it.
    if (start >= 0 && i - start >= 32) {
      if (!KEPT_ID_BEFORE.test(line.slice(Math.max(0, start - 20), start))) return false;
    }
    start = -1;
  }
  return true;
}

/**
 * Whether scrubbing `line` (one line pino wrote) would give it back unchanged: a log record
 * with no key the archive redacts, no string long enough to be cut, no "@", "Bearer" or "eyJ",
 * and no token-like run except at the start of an id kept for finding records. Most
 * lines, one per request, are like that; false only costs the full path.
 */
export function archivableAsWritten(line: string): boolean {
  const first = LEVEL_AND_TIME_FIRST.exec(line);
  if (
    !first ||
    line.length > MAX_ARCHIVED_STRING ||
    !line.endsWith("}") ||
    // A record's own "time" or "level" is written again, and a reader keeps the last.
    LEVEL_OR_TIME_AGAIN.test(line.slice(first[0].length)) ||
    NEEDS_SCRUBBING.test(line) ||
    REDACTED_KEY_IN_TEXT.test(line)
  ) {
    return false;
  }
  return tokenRunsAreKeptIds(line);
}

/**
 * One archived record from one logged line, or undefined when the line is not a log record
 * (the worker refuses a batch with any line that lacks a `time` or a `level`). A line that
 * needs no scrubbing is kept as written: parsing, walking and writing it again cost about
 * 6 µs a line, the largest part of what the archive costs a request.
 */
export function archiveRecord(line: string): string | undefined {
  return archivableAsWritten(line) ? line : scrubbedRecord(line);
}

/** archiveRecord's full path: parse, drop redacted keys, scrub every other string, write. */
export function scrubbedRecord(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const record = scrubValue(parsed, "") as Record<string, unknown>;
  const { time, level } = record;
  if ((typeof time !== "string" && typeof time !== "number") || level === undefined) {
    return undefined;
  }
  return JSON.stringify(record);
}

interface Batch {
  /** Archived records, one per line (UTF-8, each ending in a newline), from 0 to `bytes`. */
  buffer: Buffer;
  bytes: number;
}

export function createLogArchive(options: LogArchiveOptions): LogArchive {
  const batchBytes = Math.min(options.batchBytes, MAX_BATCH_BYTES);
  // Buffers of uploaded batches, for reuse: a batch's buffer is not touched again once its
  // gzip has run.
  const spare: Buffer[] = [];
  const recycle = (buffer: Buffer) => {
    if (spare.length < 2) spare.push(buffer);
  };
  // Each buffer holds the largest batch, so that a line never needs a bigger one.
  const newBatch = (): Batch => ({
    buffer: spare.pop() ?? Buffer.allocUnsafeSlow(MAX_BATCH_BYTES),
    bytes: 0,
  });
  let current: Batch | undefined;
  let firstAt = 0;
  const waiting: Batch[] = [];
  let sending: Promise<void> | undefined;
  let sinks: { dropped: Counter; logger: Logger } | undefined;
  let lastWarning = -Infinity;
  let closed = false;

  const dropped = (batches: number, reason: unknown) => {
    sinks?.dropped.add(batches, { signal: "logs" });
    // An endpoint outage fails every batch: one line a minute says so without flooding.
    const now = performance.now();
    if (sinks && now - lastWarning > 60_000) {
      lastWarning = now;
      sinks.logger.warn(
        { signal: "logs", err: reason instanceof Error ? reason : new Error(String(reason)) },
        "log archive upload failed; batch dropped",
      );
    }
  };

  const cut = () => {
    if (!current) return;
    waiting.push(current);
    current = undefined;
    if (waiting.length > MAX_WAITING_BATCHES) {
      recycle(waiting.shift()!.buffer);
      dropped(1, new Error(`more than ${MAX_WAITING_BATCHES} batches waiting`));
    }
  };

  const due = () =>
    waiting.length > 0 ||
    (current !== undefined &&
      (current.bytes >= batchBytes || performance.now() - firstAt >= options.maxAgeMs));

  async function upload(batch: Batch): Promise<void> {
    try {
      const body = await gzip(batch.buffer.subarray(0, batch.bytes)).finally(() =>
        recycle(batch.buffer),
      );
      const res = await fetch(options.url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/gzip" },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) throw new Error(`the log archive answered HTTP ${res.status}`);
    } catch (err) {
      dropped(1, err);
    }
  }

  // One upload at a time; batches cut while one is under way wait their turn.
  const drain = (): Promise<void> => {
    if (sending) return sending;
    cut();
    if (waiting.length === 0) return Promise.resolve();
    sending = (async () => {
      for (let batch = waiting.shift(); batch; batch = waiting.shift()) await upload(batch);
    })().finally(() => {
      sending = undefined;
    });
    return sending;
  };

  const flushIfDue = () => (due() ? drain() : (sending ?? Promise.resolve()));

  const timer = options.timer
    ? setInterval(() => void flushIfDue(), Math.max(1000, Math.min(options.maxAgeMs, 10_000)))
    : undefined;
  timer?.unref();

  const flush = async () => {
    await sending;
    await drain();
  };

  return {
    add(line) {
      if (closed) return;
      try {
        const text = line.endsWith("\n") ? line.slice(0, -1) : line;
        const record = archiveRecord(text);
        if (record === undefined) return;
        // A UTF-16 code unit is at most 3 bytes of UTF-8: the exact length only when the bound
        // does not fit.
        const used = current?.bytes ?? 0;
        let bytes = record.length * 3 + 1;
        if (used + bytes > MAX_BATCH_BYTES) bytes = Buffer.byteLength(record) + 1;
        if (bytes > MAX_BATCH_BYTES) return;
        if (used + bytes > MAX_BATCH_BYTES) cut();
        if (!current) {
          current = newBatch();
          firstAt = performance.now();
        }
        current.bytes += current.buffer.write(record, current.bytes);
        current.buffer[current.bytes++] = 0x0a;
      } catch {
        // A line the archive cannot take is left out; the log itself has it.
      }
    },
    flushIfDue,
    flush,
    attach(s) {
      sinks = s;
      s.dropped.add(0, { signal: "logs" });
    },
    async close() {
      if (timer) clearInterval(timer);
      await flush();
      closed = true;
    },
  };
}
