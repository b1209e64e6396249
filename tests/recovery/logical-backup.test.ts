// The whole cross-region copy path, for real: a migrated PostgreSQL with data → pg_dump →
// AES-256-GCM → SigV4 PUT to s3rver (behind a proxy that verifies every signature, as the
// replicator's tests do) → GET → decrypt → pg_restore into a second, fresh PostgreSQL → the same
// rows, table by table.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backupKey,
  backupObjectKey,
  decryptFile,
  downloadFile,
  dumpDatabase,
  encryptFile,
  restoreDatabase,
  sha256File,
  uploadFile,
  type S3Target,
} from "../../recovery/database/logical-backup";
import { localS3, webModule, type LocalPostgres, type LocalS3 } from "./web";

const BUCKET = "ara-prod-db-backups";
const REGION = "us-west-2";
let source: LocalPostgres;
let target: LocalPostgres;
let s3: LocalS3;
let dir: string;

/** Row count and an order-independent checksum of every row, per table. */
async function fingerprint(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const table of ["audits", "audit_reports", "schema_migrations"]) {
      const { rows } = await c.query(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS md5 FROM ${table} t`,
      );
      out[table] = { rows: rows[0].n, md5: rows[0].md5 };
    }
    return out;
  } finally {
    await c.end();
  }
}

let migrationCount = 0;

beforeAll(async () => {
  const { startPostgres } = await webModule("src/local/postgres.ts");
  const { MIGRATIONS, runMigrations } = await webModule("src/migrations.ts");
  migrationCount = MIGRATIONS.length;
  [source, target, s3] = await Promise.all([
    startPostgres({ database: "ara" }),
    startPostgres({ database: "restored" }),
    localS3(BUCKET, REGION),
  ]);
  dir = await mkdtemp(path.join(tmpdir(), "ara-dump-"));
  const pool = new pg.Pool({ connectionString: source.url, max: 2 });
  await runMigrations(pool, { info() {}, warn() {}, error() {} }, MIGRATIONS);
  for (let i = 0; i < 200; i++) {
    const { rows } = await pool.query(
      `INSERT INTO audits (session_id, organization, email_encrypted, answers, score, level, category_scores, recommendations, questionnaire_version)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'established', '{"data": 3}', '["x"]', 2) RETURNING id`,
      [`Confidential Org ${i}`, randomBytes(40), JSON.stringify({ q: i }), i % 101],
    );
    if (i % 3 === 0) {
      await pool.query(
        "INSERT INTO audit_reports (audit_id, object_key, size_bytes) VALUES ($1, $2, $3)",
        [rows[0].id, `reports/${rows[0].id}.pdf`, 1000 + i],
      );
    }
  }
  await pool.end();
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("cross-region logical backup", () => {
  it("dumps, encrypts, uploads with SigV4, downloads, restores: the same rows", async () => {
    const key = randomBytes(32);
    const t: S3Target = {
      endpoint: s3.endpoint,
      bucket: BUCKET,
      region: REGION,
      accessKeyId: s3.keyId,
      secretAccessKey: s3.secret,
    };
    const dump = path.join(dir, "ara.dump");
    const enc = path.join(dir, "ara.dump.enc");
    await dumpDatabase(source.url, dump);
    const dumpSha = await sha256File(dump);
    await encryptFile(dump, enc, key);
    // Ciphertext only: no plaintext of the data reaches the bucket.
    const sealed = await readFile(enc);
    expect(sealed.subarray(0, 8).toString()).toBe("ARADUMP1");
    expect(sealed.includes(Buffer.from("Confidential Org"))).toBe(false);
    expect((await readFile(dump)).includes(Buffer.from("PGDMP"))).toBe(true);

    const objectKey = backupObjectKey("prod", new Date("2026-11-29T03:30:00Z"));
    expect(objectKey).toBe("postgres/prod/2026-11-29/20261129T033000Z.dump.enc");
    await uploadFile(t, objectKey, enc, { "dump-sha256": dumpSha });
    const puts = s3.seen.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.verdict)).toEqual(["ok"]);
    expect(puts[0]!.headers.authorization).toMatch(/\/us-west-2\/s3\/aws4_request/);

    const back = path.join(dir, "back.enc");
    const meta = await downloadFile(t, objectKey, back);
    expect(meta["x-amz-meta-dump-sha256"]).toBe(dumpSha);
    const plain = path.join(dir, "back.dump");
    await decryptFile(back, plain, key);
    expect(await sha256File(plain)).toBe(dumpSha);

    await restoreDatabase(plain, target.url);
    const [before, after] = await Promise.all([fingerprint(source.url), fingerprint(target.url)]);
    expect(before.audits!.rows).toBe(200);
    expect(before.audit_reports!.rows).toBe(67);
    expect(before.schema_migrations!.rows).toBe(migrationCount);
    expect(after).toEqual(before);
  });

  it("refuses a wrong key and an altered file instead of restoring garbage", async () => {
    const key = randomBytes(32);
    const dump = path.join(dir, "small.dump");
    const enc = path.join(dir, "small.enc");
    await writeFile(dump, randomBytes(4096));
    await encryptFile(dump, enc, key);
    await expect(decryptFile(enc, path.join(dir, "x"), randomBytes(32))).rejects.toThrow(
      /key is wrong or the file was altered/,
    );
    const bytes = await readFile(enc);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(enc, bytes);
    await expect(decryptFile(enc, path.join(dir, "y"), key)).rejects.toThrow(/altered/);
  });

  it("a signature for the wrong region is refused by the bucket", async () => {
    const file = path.join(dir, "z.enc");
    await writeFile(file, "x");
    await expect(
      uploadFile(
        {
          endpoint: s3.endpoint,
          bucket: BUCKET,
          region: "us-east-1",
          accessKeyId: s3.keyId,
          secretAccessKey: s3.secret,
        },
        "postgres/prod/z",
        file,
      ),
    ).rejects.toThrow(/403[\s\S]*SignatureDoesNotMatch/);
  });

  it("the key must be 32 bytes of base64 and the error says how to make one", () => {
    expect(backupKey(randomBytes(32).toString("base64"))).toHaveLength(32);
    expect(() => backupKey("c2hvcnQ=")).toThrow(
      /ARA_BACKUP_KEY must be 32 random bytes.*openssl rand -base64 32/,
    );
    expect(() => backupKey(undefined)).toThrow(/got 0 bytes/);
  });
});
