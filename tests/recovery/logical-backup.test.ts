// The whole cross-region copy path, for real: a migrated PostgreSQL with data → pg_dump →
// AES-256-GCM → SigV4 PUT to s3rver (behind a proxy that verifies every signature, as the
// replicator's tests do) → GET → decrypt → pg_restore into a second, fresh PostgreSQL → the same
// rows, table by table.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
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
import { main as backupMain } from "../../scripts/backup/cli";
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

describe("npm run backup -- database, through the CLI", () => {
  const key = randomBytes(32);
  function env(extra: Record<string, string> = {}) {
    const vars: Record<string, string> = {
      DATABASE_URL: source.url,
      ARA_BACKUP_KEY: key.toString("base64"),
      ARA_BACKUP_BUCKET: BUCKET,
      ARA_BACKUP_REGION: REGION,
      ARA_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.keyId,
      AWS_SECRET_ACCESS_KEY: s3.secret,
      ...extra,
    };
    for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  }
  async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((x) => ((stdout += String(x)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((x) => ((stderr += String(x)), true));
    try {
      return { code: await backupMain(argv), stdout, stderr };
    } finally {
      vi.restoreAllMocks();
    }
  }
  afterEach(() => vi.unstubAllEnvs());

  it("dumps, encrypts, uploads and reads back; the object restores to the same rows", async () => {
    env();
    const seenBefore = s3.seen.length;
    const res = await run(["database", "--stack", "prod", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ stack: "prod", bucket: BUCKET, sha256: expect.any(String) });
    expect(out.key).toMatch(/^postgres\/prod\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z\.dump\.enc$/);
    // One signed PUT, then the read-back GET, both accepted by the bucket's signature check.
    const calls = s3.seen.slice(seenBefore);
    expect(calls.map((r) => [r.method, r.verdict])).toEqual([
      ["PUT", "ok"],
      ["GET", "ok"],
    ]);

    // What the bucket holds is ciphertext that only this key opens, to the dump the CLI hashed.
    const t: S3Target = {
      endpoint: s3.endpoint,
      bucket: BUCKET,
      region: REGION,
      accessKeyId: s3.keyId,
      secretAccessKey: s3.secret,
    };
    const enc = path.join(dir, "cli.enc");
    const meta = await downloadFile(t, out.key, enc);
    expect(meta["x-amz-meta-dump-sha256"]).toBe(out.sha256);
    expect((await readFile(enc)).includes(Buffer.from("Confidential Org"))).toBe(false);
    const plain = path.join(dir, "cli.dump");
    await decryptFile(enc, plain, key);
    expect(await sha256File(plain)).toBe(out.sha256);
    const admin = new pg.Client({
      connectionString: target.url.replace(/\/restored$/, "/postgres"),
    });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE restored_cli");
    } finally {
      await admin.end();
    }
    const restoredUrl = target.url.replace(/\/restored$/, "/restored_cli");
    await restoreDatabase(plain, restoredUrl);
    expect(await fingerprint(restoredUrl)).toEqual(await fingerprint(source.url));
  });

  it("a bucket that refuses the upload: exit 1, the error names the object and the answer", async () => {
    env({ ARA_BACKUP_REGION: "us-east-1" }); // signed for the wrong region
    const res = await run(["database", "--stack", "prod"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^backup failed: upload of s3:\/\/ara-prod-db-backups\/postgres\/prod\/\S+ failed: 403/,
    );
  });

  it("a database that cannot be dumped: exit 1 with pg_dump's own message", async () => {
    env({ DATABASE_URL: source.url.replace(/\/ara$/, "/no_such_db") });
    const res = await run(["database", "--stack", "prod"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^backup failed: pg_dump exited with 1: .*"no_such_db" does not exist/,
    );
  });

  it.each([
    [["database", "--stack", "qa"], {}, /--stack 'qa' is unknown: there is no Pulumi\.qa\.yaml/],
    [["database"], {}, /--stack is required/],
    [["tables", "--stack", "prod"], {}, /Name what to back up: database/],
    [["database", "--stack", "prod"], { DATABASE_URL: "" }, /^DATABASE_URL must be set/],
    [
      ["database", "--stack", "prod"],
      { ARA_BACKUP_KEY: "c2hvcnQ=" },
      /ARA_BACKUP_KEY must be 32 random bytes in base64 \(got 5 bytes\).*openssl rand -base64 32/,
    ],
  ])("refuses %j %j with exit 2", async (argv, extra, message) => {
    env(extra);
    const res = await run(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});
