// The S3 calls the storage restore and the integrity check make, over aws4fetch (SigV4), against
// AWS S3 (the replica) and R2's S3 API alike. List responses are parsed from S3's documented XML.
import { AwsClient } from "aws4fetch";

export interface Bucket {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ObjectVersion {
  key: string;
  versionId: string;
  lastModified: Date;
  etag: string;
  size: number;
  deleteMarker: boolean;
}

const clients = new WeakMap<Bucket, AwsClient>();
function client(b: Bucket): AwsClient {
  let c = clients.get(b);
  if (!c) {
    c = new AwsClient({
      accessKeyId: b.accessKeyId,
      secretAccessKey: b.secretAccessKey,
      sessionToken: b.sessionToken,
      service: "s3",
      region: b.region,
      retries: 3,
      initRetryMs: 50,
    });
    clients.set(b, c);
  }
  return c;
}

// S3's canonical path encoding: every byte but unreserved characters, "/" kept.
const encodeKey = (key: string) =>
  key
    .split("/")
    .map((s) =>
      encodeURIComponent(s).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");

export const objectUrl = (b: Bucket, key: string, query = "") =>
  `${b.endpoint.replace(/\/+$/, "")}/${b.bucket}/${encodeKey(key)}${query}`;

async function fail(what: string, res: Response): Promise<never> {
  const text = await res.text();
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "";
  throw Object.assign(new Error(`${what}: HTTP ${res.status} ${code}`.trim()), {
    status: res.status,
  });
}

const tag = (block: string, name: string) =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(block)?.[1];
const unxml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Every version and delete marker under a prefix (ListObjectVersions, all pages, bounded). */
export async function listVersions(
  b: Bucket,
  prefix: string,
  maxPages = 10_000,
): Promise<ObjectVersion[]> {
  const out: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const q = new URLSearchParams({ versions: "", prefix });
    if (keyMarker !== undefined) q.set("key-marker", keyMarker);
    if (versionMarker !== undefined) q.set("version-id-marker", versionMarker);
    const url = `${b.endpoint.replace(/\/+$/, "")}/${b.bucket}/?${q.toString().replace("versions=", "versions")}`;
    const res = await client(b).fetch(url);
    if (!res.ok) await fail(`ListObjectVersions on ${b.bucket}`, res);
    const text = await res.text();
    for (const m of text.matchAll(/<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g)) {
      const block = m[2]!;
      out.push({
        key: unxml(tag(block, "Key") ?? ""),
        versionId: tag(block, "VersionId") ?? "null",
        lastModified: new Date(tag(block, "LastModified") ?? 0),
        etag: unxml(tag(block, "ETag") ?? ""),
        size: Number(tag(block, "Size") ?? 0),
        deleteMarker: m[1] === "DeleteMarker",
      });
    }
    if (tag(text, "IsTruncated") !== "true") return out;
    keyMarker = unxml(tag(text, "NextKeyMarker") ?? "");
    versionMarker = tag(text, "NextVersionIdMarker");
  }
  throw new Error(`ListObjectVersions on ${b.bucket} did not end within ${maxPages} pages`);
}

/** Current objects under a prefix (ListObjectsV2, all pages, bounded). */
export async function listObjects(
  b: Bucket,
  prefix: string,
  maxPages = 10_000,
): Promise<Array<{ key: string; etag: string; size: number }>> {
  const out: Array<{ key: string; etag: string; size: number }> = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const q = new URLSearchParams({ "list-type": "2", prefix });
    if (token) q.set("continuation-token", token);
    const res = await client(b).fetch(`${b.endpoint.replace(/\/+$/, "")}/${b.bucket}/?${q}`);
    if (!res.ok) await fail(`ListObjectsV2 on ${b.bucket}`, res);
    const text = await res.text();
    for (const m of text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      out.push({
        key: unxml(tag(m[1]!, "Key") ?? ""),
        etag: unxml(tag(m[1]!, "ETag") ?? ""),
        size: Number(tag(m[1]!, "Size") ?? 0),
      });
    }
    if (tag(text, "IsTruncated") !== "true") return out;
    token = unxml(tag(text, "NextContinuationToken") ?? "");
  }
  throw new Error(`ListObjectsV2 on ${b.bucket} did not end within ${maxPages} pages`);
}

export interface Head {
  etag: string;
  size: number;
  contentType: string | null;
  meta: Record<string, string>;
}

export async function headObject(b: Bucket, key: string, versionId?: string): Promise<Head | null> {
  const q = versionId ? `?versionId=${encodeURIComponent(versionId)}` : "";
  const res = await client(b).fetch(objectUrl(b, key, q), { method: "HEAD" });
  if (res.status === 404) return null;
  if (!res.ok) await fail(`HEAD ${b.bucket}/${key}`, res);
  return {
    etag: res.headers.get("etag") ?? "",
    size: Number(res.headers.get("content-length") ?? 0),
    contentType: res.headers.get("content-type"),
    meta: Object.fromEntries(
      [...res.headers]
        .filter(([k]) => k.startsWith("x-amz-meta-"))
        .map(([k, v]) => [k.slice(11), v]),
    ),
  };
}

export async function getObject(
  b: Bucket,
  key: string,
  versionId?: string,
): Promise<{ body: Buffer; contentType: string | null; meta: Record<string, string> }> {
  const q = versionId ? `?versionId=${encodeURIComponent(versionId)}` : "";
  const res = await client(b).fetch(objectUrl(b, key, q));
  if (!res.ok) await fail(`GET ${b.bucket}/${key}${versionId ? ` version ${versionId}` : ""}`, res);
  return {
    body: Buffer.from(await res.arrayBuffer()),
    contentType: res.headers.get("content-type"),
    meta: Object.fromEntries(
      [...res.headers]
        .filter(([k]) => k.startsWith("x-amz-meta-"))
        .map(([k, v]) => [k.slice(11), v]),
    ),
  };
}

export async function putObject(
  b: Bucket,
  key: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<string> {
  const res = await client(b).fetch(objectUrl(b, key), { method: "PUT", body, headers });
  if (!res.ok) await fail(`PUT ${b.bucket}/${key}`, res);
  return res.headers.get("etag") ?? "";
}
