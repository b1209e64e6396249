import { OBJECT_PATH_PREFIX } from "./contract";
import { decodeKeyPath, encodeKeyPath } from "./keys";

/** Bumped if the canonical string ever changes, so old and new URLs can never be confused. */
export const SIGNATURE_VERSION = "ara-r2-url-v1";

export type SignedMethod = "GET" | "PUT";

/** What a signed URL grants. PUT claims always carry a content type and an exact length. */
export interface UrlClaims {
  method: SignedMethod;
  /** Scheme, host and port the URL is valid on, e.g. "https://api.example.com". */
  origin: string;
  key: string;
  /** Unix time in seconds; the URL is refused from this second on. */
  expires: number;
  contentType?: string;
  contentLength?: number;
}

const encoder = new TextEncoder();

/**
 * The exact bytes that are signed. Every field is free of "\n" (keys refuse controls, content
 * types come from the allow list, the origin is URL-parsed), so the join is unambiguous.
 */
export function canonicalString(
  method: string,
  origin: string,
  key: string,
  expires: string,
  contentType: string,
  contentLength: string,
): string {
  return [SIGNATURE_VERSION, method, origin, key, expires, contentType, contentLength].join("\n");
}

// Spelled this way because Node's types (used by the tests) have no global CryptoKey.
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

let cachedKey: { secret: string; key: Promise<HmacKey> } | undefined;

// Importing the HMAC key costs more than signing; the secret only changes on redeploy.
function hmacKey(secret: string): Promise<HmacKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

function base64url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function hmac(secret: string, data: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(data)));
}

/**
 * Compares two byte strings without an early exit. Uses workerd's
 * `crypto.subtle.timingSafeEqual` where it exists and a branch-free loop elsewhere (Node).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as { timingSafeEqual?: (x: Uint8Array, y: Uint8Array) => boolean };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** SHA-256 then timingSafeEqual: equal-length inputs, so not even the length leaks. */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b));
}

function queryFor(expires: string, sig: string, contentType?: string, length?: string): string {
  const parts = [`expires=${encodeURIComponent(expires)}`];
  if (contentType !== undefined) parts.push(`ct=${encodeURIComponent(contentType)}`);
  if (length !== undefined) parts.push(`len=${encodeURIComponent(length)}`);
  parts.push(`sig=${encodeURIComponent(sig)}`);
  return `?${parts.join("&")}`;
}

/** Signs the claims and returns the absolute URL, e.g. `https://h/r2/object/reports/x?expires=…&sig=…`. */
export async function signUrl(secret: string, claims: UrlClaims): Promise<string> {
  const expires = String(claims.expires);
  const ct = claims.contentType;
  const len = claims.contentLength === undefined ? undefined : String(claims.contentLength);
  const sig = await hmac(
    secret,
    canonicalString(claims.method, claims.origin, claims.key, expires, ct ?? "", len ?? ""),
  );
  return `${claims.origin}${OBJECT_PATH_PREFIX}${encodeKeyPath(claims.key)}${queryFor(expires, sig, ct, len)}`;
}

export type Verification =
  { ok: true; claims: UrlClaims } | { ok: false; reason: "invalid_signature" | "expired" };

const INVALID = { ok: false, reason: "invalid_signature" } as const;

/**
 * Checks a request URL and method against its signature. The path and query must be in
 * exactly the form signUrl produces (no extra, repeated, reordered or re-encoded parts), so
 * any change to the URL is a refusal rather than a different reading of the same signature.
 */
export async function verifyUrl(
  secret: string,
  method: string,
  url: URL,
  nowMs: number,
): Promise<Verification> {
  if (method !== "GET" && method !== "PUT") return INVALID;
  if (!url.pathname.startsWith(OBJECT_PATH_PREFIX)) return INVALID;
  const key = decodeKeyPath(url.pathname.slice(OBJECT_PATH_PREFIX.length));
  if (key === null) return INVALID;

  const params = url.searchParams;
  const expires = params.get("expires");
  const sig = params.get("sig");
  const ct = params.get("ct") ?? undefined;
  const len = params.get("len") ?? undefined;
  if (expires === null || sig === null) return INVALID;
  if (url.search !== queryFor(expires, sig, ct, len)) return INVALID;
  if (!/^[1-9][0-9]{0,11}$/.test(expires)) return INVALID;
  // A PUT URL must fix type and length; a GET URL carries neither.
  if (method === "PUT" && (ct === undefined || len === undefined)) return INVALID;
  if (method === "GET" && (ct !== undefined || len !== undefined)) return INVALID;
  if (len !== undefined && !/^[1-9][0-9]{0,15}$/.test(len)) return INVALID;

  const expected = await hmac(
    secret,
    canonicalString(method, url.origin, key, expires, ct ?? "", len ?? ""),
  );
  if (!timingSafeEqual(encoder.encode(sig), encoder.encode(expected))) return INVALID;
  const expiresAt = Number(expires);
  if (nowMs >= expiresAt * 1000) return { ok: false, reason: "expired" };
  return {
    ok: true,
    claims: {
      method,
      origin: url.origin,
      key,
      expires: expiresAt,
      contentType: ct,
      contentLength: len === undefined ? undefined : Number(len),
    },
  };
}
