import { SIGNER_DEFAULTS } from "./contract";
import type { Env, PlainVar } from "./env";
import { HttpError } from "./errors";

export interface SignerConfig {
  signingKey: string;
  signerToken: string;
  urlTtlSeconds: number;
  maxUploadBytes: number;
  allowedContentTypes: readonly string[];
}

function misconfigured(message: string): HttpError {
  return new HttpError(500, "misconfigured", message);
}

function positiveInt(name: string, value: PlainVar, fallback: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const text = String(value).trim();
  const n = /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > max) {
    throw misconfigured(
      `${name} must be a whole number from 1 to ${max} (got "${text}"); fix the worker's plain_text binding.`,
    );
  }
  return n;
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** Lower-cased, trimmed media type; parameters such as "; charset" are not part of the allow list. */
export function normalizeContentType(value: string): string {
  return value.trim().toLowerCase();
}

function contentTypes(value: PlainVar): string[] {
  const raw = value === undefined || value === "" ? SIGNER_DEFAULTS.ALLOWED_CONTENT_TYPES : value;
  const list = String(raw)
    .split(",")
    .map(normalizeContentType)
    .filter((t) => t !== "");
  const bad = list.find((t) => !MIME.test(t));
  if (list.length === 0 || bad !== undefined) {
    throw misconfigured(
      `ALLOWED_CONTENT_TYPES must be a comma-separated list of media types such as "application/pdf"` +
        (bad === undefined ? " (it is empty)" : ` (got "${bad}")`) +
        "; fix the worker's plain_text binding.",
    );
  }
  return list;
}

function secret(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw misconfigured(
      `The ${name} secret is not set; set it with \`pulumi up\` (the storage component binds it) ` +
        `or \`wrangler secret put ${name}\` for a manual deploy.`,
    );
  }
  return value;
}

/** One week: longer-lived links are a leak waiting to happen and R2 retention rules start at days. */
export const MAX_URL_TTL_SECONDS = 604_800;

/** Reads and validates the bindings. Throws HttpError(500, "misconfigured") with the fix. */
export function readConfig(env: Env): SignerConfig {
  return {
    signingKey: secret("SIGNING_KEY", env.SIGNING_KEY),
    signerToken: secret("SIGNER_TOKEN", env.SIGNER_TOKEN),
    urlTtlSeconds: positiveInt(
      "URL_TTL_SECONDS",
      env.URL_TTL_SECONDS,
      SIGNER_DEFAULTS.URL_TTL_SECONDS,
      MAX_URL_TTL_SECONDS,
    ),
    maxUploadBytes: positiveInt(
      "MAX_UPLOAD_BYTES",
      env.MAX_UPLOAD_BYTES,
      SIGNER_DEFAULTS.MAX_UPLOAD_BYTES,
      Number.MAX_SAFE_INTEGER,
    ),
    allowedContentTypes: contentTypes(env.ALLOWED_CONTENT_TYPES),
  };
}
