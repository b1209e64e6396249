import { AwsClient } from "aws4fetch";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** s3rver's built-in account. */
export const S3_KEY_ID = "S3RVER";
export const S3_SECRET = "S3RVER";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding, as SigV4 specifies for canonical paths and queries. */
const strict = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
  verdict: string;
}

/**
 * An independent AWS Signature V4 check (written from the AWS spec, not from aws4fetch).
 * s3rver only looks up the access key id, so without this nothing would verify signatures.
 */
export function verifySigV4(
  req: { method: string; url: string; headers: Record<string, string>; body: Buffer },
  expect: { region: string; secrets: Record<string, string>; now?: number; service?: string },
): string {
  const wantService = expect.service ?? "s3";
  const auth = req.headers.authorization ?? "";
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return "malformed Authorization header";
  const [, keyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  const secret = expect.secrets[keyId!];
  if (secret === undefined) return "unknown access key";
  if (region !== expect.region) return `signed for region ${region}, expected ${expect.region}`;
  if (service !== wantService) return `signed for service ${service}, expected ${wantService}`;
  const amzDate = req.headers["x-amz-date"] ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return "bad x-amz-date";
  const at = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs((expect.now ?? Date.now()) - at) > 15 * 60_000) return "request time skewed";
  const names = signedHeaders!.split(";");
  // S3 requires the payload hash as a signed header; other services hash the body.
  const required = [
    "host",
    "x-amz-date",
    ...(wantService === "s3" ? ["x-amz-content-sha256"] : []),
  ];
  for (const name of required) {
    if (!names.includes(name)) return `${name} is not signed`;
  }
  if ([...names].sort().join(";") !== signedHeaders) return "signed headers not sorted";
  const payload = req.headers["x-amz-content-sha256"] ?? sha256(req.body);
  if (payload !== "UNSIGNED-PAYLOAD" && payload !== sha256(req.body))
    return "payload hash mismatch";
  if (req.headers["content-md5"] !== undefined) {
    const md5 = createHash("md5").update(req.body).digest("base64");
    if (req.headers["content-md5"] !== md5) return "Content-MD5 mismatch (BadDigest)";
  }

  const url = new URL(req.url, "http://placeholder");
  const canonicalPath = url.pathname
    .split("/")
    .map((seg) => strict(decodeURIComponent(seg)))
    .join("/");
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => `${strict(k)}=${strict(v)}`)
    .sort()
    .join("&");
  const canonicalHeaders = names
    .map((n) => `${n}:${(req.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    req.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payload,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${secret}`, date!);
  for (const part of [region!, service!, "aws4_request"]) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature!, "hex");
  if (!timingSafeEqual(expected, given)) return "SignatureDoesNotMatch";
  // The path on the wire must already be the canonical path, or S3 and the signer disagree.
  if (url.pathname !== canonicalPath) return `path not strictly encoded: ${url.pathname}`;
  return "ok";
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

function s3Error(status: number, code: string, message: string) {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

/** s3rver behind a SigV4-verifying proxy, both on 127.0.0.1 with free ports. */
export class LocalS3 {
  readonly seen: SeenRequest[] = [];
  /** While > 0, the proxy answers 503 SlowDown instead of forwarding (an S3 outage). */
  failNext = 0;
  private constructor(
    private readonly s3: S3rver,
    private readonly proxy: Server,
    private readonly dir: string,
    readonly s3Port: number,
    readonly endpoint: string,
    readonly region: string,
  ) {}

  static async start(bucket: string, region: string): Promise<LocalS3> {
    const dir = await mkdtemp(join(tmpdir(), "ara-s3rver-"));
    const s3 = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: bucket }],
    });
    const { port: s3Port } = await s3.run();
    let self: LocalS3 | undefined = undefined;
    const proxy = createServer(async (req, res) => {
      const body = await readBody(req);
      const headers = flatHeaders(req);
      const method = req.method ?? "GET";
      const url = req.url ?? "/";
      let verdict = verifySigV4(
        { method, url, headers, body },
        { region, secrets: { [S3_KEY_ID]: S3_SECRET } },
      );
      if (verdict === "ok" && method === "PUT") {
        if (headers["content-length"] === undefined) verdict = "PUT without Content-Length";
        else if (Number(headers["content-length"]) !== body.length)
          verdict = "Content-Length mismatch";
        else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) verdict = "chunked PUT";
      }
      const outage = self!.failNext > 0;
      if (outage) self!.failNext--;
      self!.seen.push({
        method,
        path: url,
        headers,
        bodyBytes: body.length,
        verdict: outage ? "outage" : verdict,
      });
      if (outage || verdict !== "ok") {
        const err = outage
          ? s3Error(503, "SlowDown", "Please reduce your request rate.")
          : s3Error(403, "SignatureDoesNotMatch", verdict);
        res.writeHead(err.status, { "content-type": "application/xml" }).end(err.body);
        return;
      }
      const upstream = httpRequest(
        {
          host: "127.0.0.1",
          port: s3Port,
          method,
          path: url,
          headers: { ...headers, host: `127.0.0.1:${s3Port}` },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (e) => res.writeHead(502).end(String(e)));
      upstream.end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = (proxy.address() as AddressInfo).port;
    self = new LocalS3(s3, proxy, dir, s3Port, `http://127.0.0.1:${port}`, region);
    return self;
  }

  /** Reads an object straight from s3rver (SigV4-signed as s3rver expects). */
  async get(bucket: string, key: string) {
    const client = new AwsClient({
      accessKeyId: S3_KEY_ID,
      secretAccessKey: S3_SECRET,
      service: "s3",
      region: this.region,
      retries: 0,
    });
    const res = await client.fetch(
      `http://127.0.0.1:${this.s3Port}/${bucket}/${strict(key).replace(/%2F/g, "/")}`,
    );
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`s3rver GET ${key}: ${res.status} ${await res.text()}`);
    return {
      bytes: new Uint8Array(await res.arrayBuffer()),
      contentType: res.headers.get("content-type"),
      etag: res.headers.get("etag"),
      meta: Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("x-amz-meta-"))),
    };
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.proxy.close(r));
    await this.s3.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
