import { physicalName } from "../../components/naming";
import {
  environmentOf,
  pastTime,
  PROJECT,
  requireYes,
  stackConfig,
  UsageError,
} from "../../recovery/cli-args";
import { restoreStorage, type StorageRestoreReport } from "../../recovery/storage/restore";
import { exitCodeOf, parseOptions } from "../lib/cli";
import type { Bucket } from "../../recovery/storage/s3";

export const USAGE = `Usage: npm run restore -- storage --stack <stack> [--prefix <P>] [--as-of <ISO time>] [--dry-run] [--json] [--yes]

Copies report objects from the versioned S3 replica back into R2 through R2's S3 API: for each
key under --prefix (default reports/), the version that was current at --as-of (default now).
Checksums are verified before and after each write; a re-run skips what it already restored.
--dry-run lists what it would do and writes nothing. --yes is required to write to prod.

Environment: ARA_REPLICA_BUCKET (pulumi stack output reportsReplicaBucket), AWS credentials
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY[, AWS_SESSION_TOKEN]) that may read it, and
R2_ACCESS_KEY_ID / R2_SECRET_ACCESS_KEY (an R2 API token with Object Read & Write on the bucket).
Exit codes: 0 done (or planned); 1 some objects failed (listed); 2 invalid usage.`;

export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command !== "storage") {
      throw new UsageError(
        `${command === undefined ? "Name what to restore" : `Unknown restore '${command}'`}: use storage. (The database is restored by a PlanetScale branch: docs/disaster-recovery.md.)\n\n${USAGE}`,
      );
    }
    return await storage(rest);
  });
}

function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new UsageError(
      `${name} must be set: see the environment in \`npm run restore -- --help\`.`,
    );
  return v;
}

async function storage(argv: string[]): Promise<number> {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      prefix: { type: "string", default: "reports/" },
      "as-of": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      yes: { type: "boolean", default: false },
    },
    USAGE,
  );
  const config = stackConfig(v.stack, USAGE);
  const stack = v.stack!;
  const asOf = v["as-of"] === undefined ? new Date() : pastTime("--as-of", v["as-of"]);
  if (!v["dry-run"])
    requireYes(
      environmentOf(stack, config),
      v.yes === true,
      "the restore writes reports into the production R2 bucket",
    );
  const accountId = config["ara:cloudflareAccountId"];
  const env = process.env;
  const replicaRegion = env.ARA_REPLICA_REGION ?? "us-west-2";
  const replica: Bucket = {
    endpoint: env.ARA_REPLICA_ENDPOINT ?? `https://s3.${replicaRegion}.amazonaws.com`,
    bucket: need("ARA_REPLICA_BUCKET"),
    region: replicaRegion,
    accessKeyId: need("AWS_ACCESS_KEY_ID"),
    secretAccessKey: need("AWS_SECRET_ACCESS_KEY"),
    sessionToken: env.AWS_SESSION_TOKEN,
  };
  const r2: Bucket = {
    // R2's S3 API: https://<account id>.r2.cloudflarestorage.com, region "auto".
    endpoint: env.ARA_R2_ENDPOINT ?? `https://${accountId}.r2.cloudflarestorage.com`,
    bucket: env.ARA_R2_BUCKET ?? physicalName(PROJECT, stack, "reports", "r2Bucket"),
    region: env.ARA_R2_REGION ?? "auto",
    accessKeyId: need("R2_ACCESS_KEY_ID"),
    secretAccessKey: need("R2_SECRET_ACCESS_KEY"),
  };
  const report = await restoreStorage({
    replica,
    r2,
    prefix: v.prefix!,
    asOf,
    dryRun: v["dry-run"] === true,
    log: v.json ? undefined : (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(
    v.json ? `${JSON.stringify({ stack, ...report }, null, 2)}\n` : text(stack, report),
  );
  return report.ok ? 0 : 1;
}

function text(stack: string, r: StorageRestoreReport): string {
  const lines = [
    `storage restore, stack ${stack}, ${r.prefix} as of ${r.asOf}${r.dryRun ? " (dry run: nothing written)" : ""}`,
    ...r.objects.map(
      (o) =>
        `  ${o.action.padEnd(22)} ${o.key}${o.versionId ? `  version ${o.versionId} (${o.lastModified})` : ""}`,
    ),
    `  ${Object.entries(r.counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    `  copied ${r.copied} objects, ${(r.bytes / 1_048_576).toFixed(2)} MB in ${r.seconds.toFixed(2)} s`,
    ...r.failed.map((f) => `  FAILED ${f.key}: ${f.error}`),
  ];
  return `${lines.join("\n")}\n`;
}
