import { Miniflare, type MiniflareOptions } from "miniflare";
import { fileURLToPath } from "node:url";
import contract from "../../contract.json";
import { WorkerLogs } from "./logs";

export const DIST_INDEX = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
export const DIST_REPLICATOR = fileURLToPath(new URL("../../dist/replicator.js", import.meta.url));

export const SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789abcdef";
export const SIGNER_TOKEN = "test-signer-token-fedcba9876543210fedcba9876543210";
/** Requests carry this origin; Miniflare hands the URL to the worker unchanged. */
export const ORIGIN = "https://r2.example.test";

const b = contract.bindings;

/** Bindings named from contract.json, so a renamed binding breaks these tests too. */
export function signerBindings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { [b.signingKey]: SIGNING_KEY, [b.signerToken]: SIGNER_TOKEN, ...overrides };
}

/** What the signers started by startSigner in this test file logged. */
export const signerLogs = new WorkerLogs();

/** Starts the built signer (dist/index.js) in workerd with an in-memory R2 bucket. */
export function startSigner(options: Partial<MiniflareOptions> = {}): Miniflare {
  return new Miniflare({
    handleStructuredLogs: signerLogs.handleStructuredLogs,
    modules: true,
    scriptPath: DIST_INDEX,
    compatibilityDate: contract.compatibilityDate,
    r2Buckets: [b.bucket],
    bindings: signerBindings(),
    host: "127.0.0.1",
    port: 0,
    ...options,
  } as MiniflareOptions);
}

export const auth = { authorization: `Bearer ${SIGNER_TOKEN}` };

/**
 * Every key with its R2 version id, etag and size. The version id changes on every write,
 * so equal snapshots mean nothing was stored, overwritten or deleted in between.
 */
export async function snapshot(mf: Miniflare): Promise<Map<string, string>> {
  const bucket = await mf.getR2Bucket(b.bucket);
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor, limit: 1000 });
    for (const o of page.objects) out.set(o.key, `${o.version}:${o.etag}:${o.size}`);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out;
}

export interface UploadGrant {
  key: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export async function requestUpload(
  mf: Miniflare,
  body: Record<string, unknown>,
  origin = ORIGIN,
): Promise<UploadGrant> {
  const res = await mf.dispatchFetch(`${origin}/r2/upload`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`upload sign failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as UploadGrant;
}

export async function requestDownload(mf: Miniflare, key: string, origin = ORIGIN) {
  const res = await mf.dispatchFetch(`${origin}/r2/download?key=${encodeURIComponent(key)}`, {
    headers: auth,
  });
  if (res.status !== 200)
    throw new Error(`download sign failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { key: string; url: string; method: string; expiresAt: string };
}

export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
