import type { Context } from "hono";
import { readConfig, normalizeContentType, type SignerConfig } from "./config";
import type { Env } from "./env";
import { errorResponse, HttpError } from "./errors";
import { checkKey } from "./keys";
import { secretsEqual, signUrl, verifyUrl, type UrlClaims } from "./signing";

export type SignerContext = Context<{ Bindings: Env }>;

/** Control-endpoint bodies are a few hundred bytes; anything larger is a mistake or abuse. */
export const MAX_JSON_BYTES = 16 * 1024;

/** Read by the health check; it need not exist, the bucket only has to answer. */
export const HEALTH_PROBE_KEY = ".ara-health-probe";

const NO_STORE = { "cache-control": "no-store" };

function bucketOf(env: Env): R2Bucket {
  const bucket = env.REPORTS as R2Bucket | undefined;
  if (bucket === undefined || bucket === null || typeof bucket.head !== "function") {
    throw new HttpError(
      503,
      "bucket_unavailable",
      "The REPORTS R2 binding is missing from this worker; redeploy it with the storage component.",
    );
  }
  return bucket;
}

/** Runs an R2 call; a thrown binding error becomes a 503 the caller can retry. */
async function r2<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    console.error(JSON.stringify({ level: "error", msg: `R2 ${what} failed`, error: String(err) }));
    throw new HttpError(
      503,
      "bucket_unavailable",
      `R2 did not complete the ${what}; retry later. If a bucket lock rule retains the object, it cannot be removed before the retention ends.`,
    );
  }
}

/** Bearer check with a constant-time comparison. */
export async function authorize(c: SignerContext, cfg: SignerConfig): Promise<void> {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const ok = match !== null && (await secretsEqual(match[1] as string, cfg.signerToken));
  if (!ok) {
    throw new HttpError(
      401,
      "unauthorized",
      "Send `Authorization: Bearer <SIGNER_TOKEN>`; the token is missing or wrong.",
      { "www-authenticate": 'Bearer realm="ara-r2"' },
    );
  }
}

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body !== null) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge(`The JSON body is larger than ${limit} bytes.`);
      }
      chunks.push(value);
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(message: string): HttpError {
  return new HttpError(413, "payload_too_large", message);
}

/** Parses a small JSON request body: 413 over MAX_JSON_BYTES, 400 when it is not JSON. */
export async function readJson(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BYTES) {
    throw tooLarge(`The JSON body is larger than ${MAX_JSON_BYTES} bytes.`);
  }
  const bytes = await readLimited(req.body, MAX_JSON_BYTES);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new HttpError(
      400,
      "invalid_json",
      'The body must be JSON, e.g. {"contentType":"application/pdf","contentLength":1024}.',
    );
  }
}

function requireKey(value: unknown): string {
  const check = checkKey(value);
  if (!check.ok) throw new HttpError(400, "invalid_key", `Invalid key: ${check.reason}.`);
  return check.key;
}

function queryKey(c: SignerContext): string {
  const key = c.req.query("key");
  if (key === undefined) {
    throw new HttpError(400, "missing_key", "Add the object key as a query parameter: ?key=<key>.");
  }
  return requireKey(key);
}

function origin(c: SignerContext): string {
  return new URL(c.req.url).origin;
}

function expiry(cfg: SignerConfig): number {
  return Math.floor(Date.now() / 1000) + cfg.urlTtlSeconds;
}

/** POST /r2/upload: signs a PUT URL for one object of a fixed type and length. */
export async function handleUpload(c: SignerContext): Promise<Response> {
  const cfg = readConfig(c.env);
  await authorize(c, cfg);
  const body = await readJson(c.req.raw);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      "invalid_request",
      'The body must be a JSON object: {"contentType": string, "contentLength": number, "key"?: string}.',
    );
  }
  const { contentType, contentLength, key } = body as Record<string, unknown>;
  if (
    typeof contentType !== "string" ||
    !cfg.allowedContentTypes.includes(normalizeContentType(contentType))
  ) {
    throw new HttpError(
      400,
      "unsupported_content_type",
      `contentType must be one of: ${cfg.allowedContentTypes.join(", ")}.`,
    );
  }
  if (
    typeof contentLength !== "number" ||
    !Number.isSafeInteger(contentLength) ||
    contentLength < 1 ||
    contentLength > cfg.maxUploadBytes
  ) {
    throw new HttpError(
      400,
      "invalid_content_length",
      `contentLength must be a whole number of bytes from 1 to ${cfg.maxUploadBytes}.`,
    );
  }
  const objectKey = key === undefined ? `reports/${crypto.randomUUID()}` : requireKey(key);
  const type = normalizeContentType(contentType);
  const expires = expiry(cfg);
  const url = await signUrl(cfg.signingKey, {
    method: "PUT",
    origin: origin(c),
    key: objectKey,
    expires,
    contentType: type,
    contentLength,
  });
  return c.json(
    {
      key: objectKey,
      url,
      method: "PUT",
      // The contract's `headers` is exactly {}: the PUT needs no header. The signed type is
      // what R2 stores; a request that states a different type is refused.
      headers: {},
      expiresAt: new Date(expires * 1000).toISOString(),
    },
    200,
    NO_STORE,
  );
}

/**
 * The authorized caller's `?key=` when that object exists; 401, 400 or 404 otherwise, in that
 * order, so an unauthenticated caller learns nothing about which keys exist.
 */
async function existingObject(c: SignerContext) {
  const cfg = readConfig(c.env);
  await authorize(c, cfg);
  const key = queryKey(c);
  const bucket = bucketOf(c.env);
  const head = await r2("head", () => bucket.head(key));
  if (head === null) throw objectNotFound(key);
  return { cfg, key, bucket };
}

/** GET /r2/download?key=K: signs a GET URL for an existing object. */
export async function handleDownload(c: SignerContext): Promise<Response> {
  const { cfg, key } = await existingObject(c);
  const expires = expiry(cfg);
  const url = await signUrl(cfg.signingKey, { method: "GET", origin: origin(c), key, expires });
  return c.json(
    { key, url, method: "GET", expiresAt: new Date(expires * 1000).toISOString() },
    200,
    NO_STORE,
  );
}

/** DELETE /r2/delete?key=K: 204, or 404 when there is nothing to delete. */
export async function handleDelete(c: SignerContext): Promise<Response> {
  const { key, bucket } = await existingObject(c);
  await r2("delete", () => bucket.delete(key));
  return new Response(null, { status: 204 });
}

/** GET /r2/health: no auth, no secrets needed; one cheap class-B read proves the bucket answers. */
export async function handleHealth(c: SignerContext): Promise<Response> {
  try {
    const bucket = bucketOf(c.env);
    await bucket.head(HEALTH_PROBE_KEY);
    return c.json({ status: "ok" }, 200, NO_STORE);
  } catch (err) {
    const message =
      err instanceof HttpError
        ? err.message
        : "The REPORTS bucket did not answer; check R2 status and the worker's r2_bucket binding.";
    console.error(
      JSON.stringify({ level: "error", msg: "health check failed", error: String(err) }),
    );
    return new Response(
      JSON.stringify({ status: "unavailable", error: "bucket_unavailable", message }),
      { status: 503, headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE } },
    );
  }
}

function objectNotFound(key: string): HttpError {
  return new HttpError(404, "object_not_found", `No object with key "${key}" exists.`);
}

/**
 * Passes a body through while counting it. The latest chunk is held back until the body
 * ends, so the store never receives the final byte of a body that later turns out to be too
 * long: a lying or chunked body fails the put instead of being cut to the signed length.
 */
export class LengthGuard {
  seen = 0;
  overflow = false;
  underflow = false;
  readonly stream: TransformStream<Uint8Array, Uint8Array>;

  constructor(readonly expected: number) {
    let held: Uint8Array | undefined;
    this.stream = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        this.seen += chunk.byteLength;
        if (this.seen > this.expected) {
          this.overflow = true;
          controller.error(new Error("body longer than the signed length"));
          return;
        }
        if (held !== undefined) controller.enqueue(held);
        held = chunk;
      },
      flush: (controller) => {
        if (this.seen !== this.expected) {
          this.underflow = true;
          controller.error(new Error("body shorter than the signed length"));
          return;
        }
        if (held !== undefined) controller.enqueue(held);
      },
    });
  }
}

function lengthMismatch(len: number): HttpError {
  return new HttpError(
    403,
    "length_mismatch",
    `The body must be exactly ${len} bytes, the length this URL was signed for.`,
  );
}

async function putObject(c: SignerContext, claims: UrlClaims): Promise<Response> {
  const type = claims.contentType as string;
  const len = claims.contentLength as number;
  const sent = c.req.header("content-type");
  if (sent !== undefined && normalizeContentType(sent) !== type) {
    throw new HttpError(
      403,
      "content_type_mismatch",
      `Send \`Content-Type: ${type}\` (the type this URL was signed for) or no Content-Type.`,
    );
  }
  const declared = c.req.header("content-length");
  if (declared !== undefined) {
    const n = /^[0-9]+$/.test(declared) ? Number(declared) : NaN;
    if (n > len) {
      throw tooLarge(`The body is ${n} bytes; this URL allows exactly ${len}.`);
    }
    if (n !== len) throw lengthMismatch(len);
  }
  const body = c.req.raw.body;
  if (body === null) throw lengthMismatch(len);
  const bucket = bucketOf(c.env);
  const guard = new LengthGuard(len);
  // With a Content-Length equal to the signed length, HTTP framing already caps the body and
  // a short body errors the stream, so it goes to R2 as is (the guard costs ~30 ms per MB
  // in workerd). Without one (chunked), the guard counts and holds back the end.
  const stream =
    declared !== undefined && c.req.header("transfer-encoding") === undefined
      ? body
      : body.pipeThrough(guard.stream).pipeThrough(new FixedLengthStream(len));
  let stored: R2Object;
  try {
    stored = await bucket.put(claims.key, stream, { httpMetadata: { contentType: type } });
  } catch (err) {
    if (guard.overflow) throw tooLarge(`The body is longer than ${len} bytes, the signed length.`);
    if (guard.underflow) throw lengthMismatch(len);
    return r2("put", () => Promise.reject(err));
  }
  return c.json({ key: stored.key, size: stored.size, etag: stored.etag }, 200, NO_STORE);
}

async function getObject(c: SignerContext, claims: UrlClaims): Promise<Response> {
  const bucket = bucketOf(c.env);
  const object = await r2("get", () => bucket.get(claims.key));
  if (object === null) throw objectNotFound(claims.key);
  return new Response(object.body, {
    headers: {
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      etag: object.httpEtag,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** GET or PUT /r2/object/<key>?expires=…[&ct=…&len=…]&sig=…: serves a signed URL. */
export async function handleObject(c: SignerContext): Promise<Response> {
  const cfg = readConfig(c.env);
  const result = await verifyUrl(cfg.signingKey, c.req.method, new URL(c.req.url), Date.now());
  if (!result.ok) {
    return result.reason === "expired"
      ? errorResponse(
          403,
          "expired",
          "This signed URL has expired; ask the signer for a new one (POST /r2/upload or GET /r2/download).",
        )
      : errorResponse(
          403,
          "invalid_signature",
          "This URL's signature does not match: the URL was changed or is used with another method. Use it exactly as issued.",
        );
  }
  return result.claims.method === "PUT" ? putObject(c, result.claims) : getObject(c, result.claims);
}
