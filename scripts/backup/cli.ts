import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stackConfig, UsageError } from "../../recovery/cli-args";
import {
  backupKey,
  backupObjectKey,
  decryptFile,
  downloadFile,
  dumpDatabase,
  encryptFile,
  sha256File,
  uploadFile,
} from "../../recovery/database/logical-backup";

export const USAGE = `Usage: npm run backup -- database --stack <stack> [--json]

Dumps the stack's database (pg_dump, custom format), encrypts it (AES-256-GCM), uploads it to
the cross-region backup bucket, then downloads it back and checks it decrypts to the same bytes.

Environment: DATABASE_URL (a read-only role on the production branch), ARA_BACKUP_KEY (32 bytes,
base64), ARA_BACKUP_BUCKET and ARA_BACKUP_REGION (pulumi stack output databaseBackupBucket /
databaseBackupRegion), AWS credentials (the workflow's OIDC role), optional ARA_S3_ENDPOINT.
Exit codes: 0 uploaded and verified; 1 failed; 2 invalid usage.`;

export async function main(argv: string[]): Promise<number> {
  let v: { stack?: string; json?: boolean };
  try {
    const [command, ...rest] = argv;
    if (command !== "database") throw new UsageError(`Name what to back up: database.\n\n${USAGE}`);
    v = parseArgs({
      args: rest,
      strict: true,
      options: { stack: { type: "string" }, json: { type: "boolean", default: false } },
    }).values;
    stackConfig(v.stack, USAGE);
    const env = process.env;
    for (const name of [
      "DATABASE_URL",
      "ARA_BACKUP_BUCKET",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ]) {
      if (!env[name])
        throw new UsageError(
          `${name} must be set (${USAGE.split("Environment: ")[1]!.split("\n")[0]}…).`,
        );
    }
    backupKey(env.ARA_BACKUP_KEY);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const env = process.env;
  const stack = v.stack!;
  const region = env.ARA_BACKUP_REGION ?? "us-west-2";
  const target = {
    endpoint: env.ARA_S3_ENDPOINT ?? `https://s3.${region}.amazonaws.com`,
    bucket: env.ARA_BACKUP_BUCKET!,
    region,
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    sessionToken: env.AWS_SESSION_TOKEN,
  };
  const key = backupKey(env.ARA_BACKUP_KEY);
  const dir = await mkdtemp(path.join(tmpdir(), "ara-backup-"));
  const t0 = Date.now();
  try {
    const dump = path.join(dir, "db.dump");
    await dumpDatabase(env.DATABASE_URL!, dump);
    const sha = await sha256File(dump);
    await encryptFile(dump, `${dump}.enc`, key);
    const objectKey = backupObjectKey(stack, new Date());
    await uploadFile(target, objectKey, `${dump}.enc`, { "dump-sha256": sha });
    // Read it back: an upload that cannot be decrypted is not a backup.
    await downloadFile(target, objectKey, path.join(dir, "check.enc"));
    await decryptFile(path.join(dir, "check.enc"), path.join(dir, "check.dump"), key);
    if ((await sha256File(path.join(dir, "check.dump"))) !== sha)
      throw new Error("the copy read back differs from the dump");
    const result = {
      stack,
      bucket: target.bucket,
      key: objectKey,
      sha256: sha,
      seconds: (Date.now() - t0) / 1000,
    };
    process.stdout.write(
      v.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `uploaded and verified s3://${target.bucket}/${objectKey} (sha256 ${sha}) in ${result.seconds.toFixed(1)} s\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`backup failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
