// Prod's cross-region database copy: a nightly `pg_dump` (custom format), encrypted on the
// runner with AES-256-GCM under a key from the GitHub environment, uploaded with SigV4 to a
// bucket in the replica region (us-west-2), which also encrypts at rest. Client-side
// encryption is chosen over SSE-KMS alone so that whoever can read the bucket (or a leaked
// object URL) still holds only ciphertext, and a restore needs no KMS grant in another region.
//
// File format: "ARADUMP1" | 12-byte IV | ciphertext | 16-byte GCM tag.
import { spawn } from "node:child_process";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, readFile, stat, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { AwsClient } from "aws4fetch";

const MAGIC = Buffer.from("ARADUMP1");
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface S3Target {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The 32-byte key from its base64 form (ARA_BACKUP_KEY); anything else is refused. */
export function backupKey(base64: string | undefined, name = "ARA_BACKUP_KEY"): Buffer {
  const key = base64 ? Buffer.from(base64, "base64") : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new Error(
      `${name} must be 32 random bytes in base64 (got ${key.length} bytes). Create one with \`openssl rand -base64 32\` and store it as the GitHub environment secret ${name}.`,
    );
  }
  return key;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err.trim()}`)),
    );
  });
}

/** `pg_dump --format=custom`: compressed, restorable table by table with pg_restore. */
export async function dumpDatabase(databaseUrl: string, file: string): Promise<void> {
  await run("pg_dump", [
    "--format=custom",
    "--no-owner",
    "--no-acl",
    `--file=${file}`,
    databaseUrl,
  ]);
}

/** Restores into an empty database; the dump's owners and grants are the source's, not kept. */
export async function restoreDatabase(file: string, databaseUrl: string): Promise<void> {
  await run("pg_restore", [
    "--no-owner",
    "--no-acl",
    "--exit-on-error",
    `--dbname=${databaseUrl}`,
    file,
  ]);
}

export async function encryptFile(input: string, output: string, key: Buffer): Promise<void> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const out = createWriteStream(output);
  out.write(Buffer.concat([MAGIC, iv]));
  await pipeline(createReadStream(input), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) =>
    out.end(cipher.getAuthTag(), (e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

export async function decryptFile(input: string, output: string, key: Buffer): Promise<void> {
  const { size } = await stat(input);
  const header = MAGIC.length + IV_BYTES;
  if (size < header + TAG_BYTES) throw new Error(`${input} is too short to be an encrypted dump`);
  const fh = await open(input, "r");
  const head = Buffer.alloc(header);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await fh.read(head, 0, header, 0);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await fh.close();
  }
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`${input} is not an ARA encrypted dump (no ARADUMP1 header)`);
  }
  const decipher = createDecipheriv("aes-256-gcm", key, head.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(input, { start: header, end: size - TAG_BYTES - 1 }),
      decipher,
      createWriteStream(output),
    );
  } catch (e) {
    throw new Error(
      `cannot decrypt ${input}: the key is wrong or the file was altered (${(e as Error).message})`,
    );
  }
}

export const sha256File = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

function client(t: S3Target) {
  return new AwsClient({
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    sessionToken: t.sessionToken,
    service: "s3",
    region: t.region,
    retries: 2,
  });
}

const objectUrl = (t: S3Target, key: string) =>
  `${t.endpoint.replace(/\/+$/, "")}/${t.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

/** One PUT with its length and MD5, so S3 refuses a body that changed on the way. */
export async function uploadFile(
  t: S3Target,
  key: string,
  file: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const body = await readFile(file);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-md5": createHash("md5").update(body).digest("base64"),
  };
  for (const [k, v] of Object.entries(metadata)) headers[`x-amz-meta-${k}`] = v;
  const res = await client(t).fetch(objectUrl(t, key), { method: "PUT", body, headers });
  if (!res.ok) {
    throw new Error(
      `upload of s3://${t.bucket}/${key} failed: ${res.status} ${(await res.text()).slice(0, 300)}`,
    );
  }
}

export async function downloadFile(
  t: S3Target,
  key: string,
  file: string,
): Promise<Record<string, string>> {
  const res = await client(t).fetch(objectUrl(t, key));
  if (!res.ok) {
    throw new Error(
      `download of s3://${t.bucket}/${key} failed: ${res.status} ${(await res.text()).slice(0, 300)}`,
    );
  }
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("x-amz-meta-")));
}

/** Where a night's dump goes: one prefix per stack, sortable by time. */
export function backupObjectKey(stack: string, at: Date): string {
  const iso = at.toISOString();
  return `postgres/${stack}/${iso.slice(0, 10)}/${iso.replace(/[-:]/g, "").slice(0, 15)}Z.dump.enc`;
}
