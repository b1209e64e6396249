// Restores report objects from the versioned S3 replica back into R2: for each key, the version
// that was current at `asOf`. Resumable without a state file: each copy carries the replica
// version id in its metadata, so a re-run skips what is already in place. A body whose MD5 does
// not match the version's ETag is never written.
import { createHash } from "node:crypto";
import {
  getObject,
  headObject,
  listVersions,
  putObject,
  type Bucket,
  type ObjectVersion,
} from "./s3";

export interface StorageRestoreOptions {
  replica: Bucket;
  r2: Bucket;
  prefix: string;
  asOf: Date;
  dryRun: boolean;
  concurrency?: number;
  log?: (line: string) => void;
}

export type Action =
  | "copy"
  | "skip-identical"
  | "skip-already-restored"
  | "skip-absent-at-as-of"
  | "skip-deleted-at-as-of";

export interface PlannedObject {
  key: string;
  versionId: string | null;
  lastModified: string | null;
  size: number;
  action: Action;
}

export interface StorageRestoreReport {
  kind: "storage";
  ok: boolean;
  dryRun: boolean;
  prefix: string;
  asOf: string;
  objects: PlannedObject[];
  counts: Record<Action, number>;
  copied: number;
  bytes: number;
  failed: Array<{ key: string; error: string }>;
  seconds: number;
  objectsPerSecond: number;
  mbPerSecond: number;
}

/** A plain single-part ETag is the body's MD5; a multipart one ("…-N") is not. */
const md5Of = (etag: string) => /^"?([0-9a-f]{32})"?$/.exec(etag)?.[1];

/** For each key, the version current at `asOf`: the newest one written at or before it. */
export function versionsAsOf(
  versions: ObjectVersion[],
  asOf: Date,
): Map<string, ObjectVersion | null> {
  const out = new Map<string, ObjectVersion | null>();
  for (const v of versions) {
    if (!out.has(v.key)) out.set(v.key, null);
    if (v.lastModified.getTime() > asOf.getTime()) continue;
    const best = out.get(v.key);
    if (!best || v.lastModified.getTime() > best.lastModified.getTime()) out.set(v.key, v);
  }
  return out;
}

export async function restoreStorage(o: StorageRestoreOptions): Promise<StorageRestoreReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const chosen = versionsAsOf(await listVersions(o.replica, o.prefix), o.asOf);
  const objects: PlannedObject[] = [];
  const failed: StorageRestoreReport["failed"] = [];
  let copied = 0;
  let bytes = 0;

  const plan = async (key: string, v: ObjectVersion | null): Promise<PlannedObject> => {
    const base = {
      key,
      versionId: v?.versionId ?? null,
      lastModified: v?.lastModified.toISOString() ?? null,
      size: v?.size ?? 0,
    };
    if (!v) return { ...base, action: "skip-absent-at-as-of" };
    if (v.deleteMarker) return { ...base, action: "skip-deleted-at-as-of" };
    const head = await headObject(o.r2, key);
    if (head?.meta["restored-version-id"] === v.versionId)
      return { ...base, action: "skip-already-restored" };
    if (head && md5Of(head.etag) && md5Of(head.etag) === md5Of(v.etag) && head.size === v.size) {
      return { ...base, action: "skip-identical" };
    }
    return { ...base, action: "copy" };
  };

  const copy = async (p: PlannedObject, v: ObjectVersion) => {
    const got = await getObject(o.replica, p.key, v.versionId);
    const md5 = createHash("md5").update(got.body).digest();
    const expected = md5Of(v.etag) ?? got.meta["r2-etag"]?.replace(/"/g, "");
    if (expected && md5.toString("hex") !== expected) {
      throw new Error(
        `checksum mismatch: the replica's version ${v.versionId} read back with MD5 ${md5.toString("hex")}, its ETag says ${expected}; nothing was written`,
      );
    }
    if (got.body.length !== v.size)
      throw new Error(`size mismatch: ${got.body.length} bytes read, ${v.size} listed`);
    const etag = await putObject(o.r2, p.key, got.body, {
      "content-type": got.contentType ?? "application/octet-stream",
      "content-md5": md5.toString("base64"),
      "x-amz-meta-restored-version-id": v.versionId,
      "x-amz-meta-restored-from": `s3://${o.replica.bucket}`,
    });
    if (md5Of(etag) && md5Of(etag) !== md5.toString("hex")) {
      throw new Error(`R2 stored ETag ${etag}, not the MD5 ${md5.toString("hex")} that was sent`);
    }
    copied++;
    bytes += got.body.length;
  };

  const entries = [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [key, v] = entries[next++]!;
      try {
        const p = await plan(key, v);
        objects.push(p);
        if (p.action === "copy" && !o.dryRun) {
          await copy(p, v!);
          log(`copied ${key} (version ${v!.versionId}, ${v!.size} bytes)`);
        }
      } catch (e) {
        failed.push({ key, error: (e as Error).message });
        log(`FAIL ${key}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));

  objects.sort((a, b) => (a.key < b.key ? -1 : 1));
  const counts = {
    copy: 0,
    "skip-identical": 0,
    "skip-already-restored": 0,
    "skip-absent-at-as-of": 0,
    "skip-deleted-at-as-of": 0,
  } as Record<Action, number>;
  for (const p of objects) counts[p.action]++;
  const seconds = (performance.now() - t0) / 1000;
  return {
    kind: "storage",
    ok: failed.length === 0,
    dryRun: o.dryRun,
    prefix: o.prefix,
    asOf: o.asOf.toISOString(),
    objects,
    counts,
    copied,
    bytes,
    failed,
    seconds,
    objectsPerSecond: seconds > 0 ? copied / seconds : 0,
    mbPerSecond: seconds > 0 ? bytes / 1_048_576 / seconds : 0,
  };
}
