/** R2 allows 1024-byte keys; the contract keeps reports well inside that. */
export const MAX_KEY_BYTES = 512;

// Unprintable or invisible characters: controls (C0, DEL, C1), format characters such as
// bidi overrides and zero-width joiners, lone surrogates, private use, line and paragraph
// separators. A key is shown to people and written to logs, so what you see must be it.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;

const encoder = new TextEncoder();

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: string };

/**
 * Checks an object key: printable path segments separated by "/", at most 512 UTF-8 bytes,
 * no leading "/", no empty, "." or ".." segments. "." is refused as well as "..": a URL
 * parser removes both from a path, so such a key could not be carried by a signed URL.
 */
export function checkKey(key: unknown): KeyCheck {
  if (typeof key !== "string") return { ok: false, reason: "key must be a string" };
  if (key.length === 0) return { ok: false, reason: "key must not be empty" };
  if (UNPRINTABLE.test(key)) {
    return { ok: false, reason: "key must contain only printable characters" };
  }
  const bytes = encoder.encode(key).byteLength;
  if (bytes > MAX_KEY_BYTES) {
    return { ok: false, reason: `key is ${bytes} bytes; the limit is ${MAX_KEY_BYTES} (UTF-8)` };
  }
  if (key.startsWith("/")) return { ok: false, reason: 'key must not start with "/"' };
  for (const segment of key.split("/")) {
    if (segment === "") {
      return {
        ok: false,
        reason: 'key must not contain empty segments ("a//b" or a trailing "/")',
      };
    }
    if (segment === "." || segment === "..") {
      return { ok: false, reason: 'key must not contain "." or ".." segments' };
    }
  }
  return { ok: true, key };
}

/** The URL path form of a key: each segment percent-encoded, joined by "/". */
export function encodeKeyPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/**
 * Inverse of encodeKeyPath. Returns null unless `raw` is exactly the canonical encoding of
 * a key, so two different URL spellings can never name the same signed object.
 */
export function decodeKeyPath(raw: string): string | null {
  let key: string;
  try {
    key = raw.split("/").map(decodeURIComponent).join("/");
  } catch {
    return null;
  }
  if (!checkKey(key).ok) return null;
  return encodeKeyPath(key) === raw ? key : null;
}
