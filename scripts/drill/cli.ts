import { physicalName } from "../../components/naming";
import {
  environmentOf,
  pastTime,
  PROJECT,
  requireYes,
  stackConfig,
  UsageError,
} from "../../recovery/cli-args";
import {
  runDatabaseDrill,
  type DatabaseDrillReport,
  type RestoreSource,
} from "../../recovery/database/drill";
import { loadAppMigrations } from "../../recovery/database/migrations";
import {
  runCacheDrill,
  serviceLines,
  type CacheDrillOptions,
  type CacheDrillReport,
} from "../../recovery/cache/drill";
import { checkIntegrity } from "../../recovery/storage/integrity";
import { exitCodeOf, parseOptions } from "../lib/cli";

export const USAGE = `Usage:
  npm run drill -- integrity --stack <stack> [--sample N] [--prefix P] [--json]
  npm run drill -- database --stack <dev|staging|prod> [--backup latest|<backup-id> | --restore-point <ISO time>] [--json] [--yes]
  npm run drill -- cache [--json] [--skip-build]

database  Restores the production branch's latest backup (or a point in time) into a new
          PlanetScale branch, connects with a short-lived read-only role, checks the schema is at
          the app's latest migration and that audits read back, times it against the 15-minute
          RTO, then deletes the role and the branch (always, also after a failure).
          Needs PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN. --yes is required
          for prod (the drill creates a branch in the production database).

cache     On this machine: builds and starts the web app (node app/web/dist/server.js) with a
          real PostgreSQL, redis-server and the signer, saves a session mid-wizard, swaps Redis
          for an empty, fresh redis-server (a failover to an empty replica), and times until the
          app serves again: a new session gets 2xx, the old token 401, and no request a 5xx
          other than 503 + Retry-After while Redis is away. Judged against the 5-minute RTO.
          Takes no --stack: an Upstash failover cannot be triggered from a script, so this is
          the lower bound (docs/disaster-recovery.md). Needs redis-server on PATH and the
          PostgreSQL server (on PATH or in /usr/lib/postgresql). --skip-build runs the existing
          app/web/dist instead of building it.

integrity Samples reports in R2 and compares each with its copy in the S3 replica (size, MD5);
          a difference is published to ARA_ALERT_TOPIC_ARN and fails the run. Needs
          ARA_REPLICA_BUCKET, AWS and R2 credentials as \`npm run restore\` does.

Exit codes: 0 the drill passed; 1 it failed (the report says which step; what it created is
deleted, what it started is stopped); 2 invalid usage.`;

/** Seams for tests: options merged into a drill's own (a fault to inject, a shorter deadline). */
export interface DrillOverrides {
  cache?: Partial<CacheDrillOptions>;
}

export function main(argv: string[], overrides: DrillOverrides = {}): Promise<number> {
  return exitCodeOf(async () => {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === undefined) {
      if (command === undefined)
        throw new UsageError(`Name a drill: database, integrity or cache.\n\n${USAGE}`);
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command === "database") return await database(rest);
    if (command === "integrity") return await integrity(rest);
    if (command === "cache") return await cache(rest, overrides.cache);
    throw new UsageError(
      `Unknown drill '${command}': use database, integrity or cache.\n\n${USAGE}`,
    );
  });
}

async function database(argv: string[]): Promise<number> {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      backup: { type: "string" },
      "restore-point": { type: "string" },
      json: { type: "boolean", default: false },
      yes: { type: "boolean", default: false },
    },
    USAGE,
  );
  const config = stackConfig(v.stack, USAGE);
  const stack = v.stack!;
  if (v.backup !== undefined && v["restore-point"] !== undefined) {
    throw new UsageError("--backup and --restore-point exclude each other: give one of them.");
  }
  if (v.backup !== undefined && !/^(latest|[A-Za-z0-9_-]+)$/.test(v.backup)) {
    throw new UsageError(
      `--backup '${v.backup}' is not a backup id: give latest or an id from the PlanetScale dashboard.`,
    );
  }
  let source: RestoreSource = { kind: "backup", backupId: v.backup ?? "latest" };
  if (v["restore-point"] !== undefined) {
    const at = pastTime("--restore-point", v["restore-point"]);
    source = { kind: "restore-point", at: at.toISOString() };
  }
  requireYes(
    environmentOf(stack, config),
    v.yes,
    "the drill creates (and deletes) a branch in the production database",
  );
  const organization = config["ara:planetscaleOrganization"];
  if (!organization) {
    throw new UsageError(
      `Pulumi.${stack}.yaml sets no ara:planetscaleOrganization: set it to the organization's slug.`,
    );
  }
  const tokenId = process.env.PLANETSCALE_SERVICE_TOKEN_ID;
  const token = process.env.PLANETSCALE_SERVICE_TOKEN;
  if (!tokenId || !token) {
    throw new UsageError(
      `PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN must be set: export a service token with the accesses in docs/disaster-recovery.md.`,
    );
  }
  // Loopback settings for tests against the fake API and a local PostgreSQL; unset in real use.
  const env = process.env;
  const report = await runDatabaseDrill({
    api: { baseUrl: env.PLANETSCALE_API_URL ?? "https://api.planetscale.com/v1", tokenId, token },
    organization,
    database: physicalName(PROJECT, stack, "system", "planetscaleDatabase"),
    source,
    expectedMigrations: loadAppMigrations(),
    port: env.ARA_DRILL_DB_PORT ? Number(env.ARA_DRILL_DB_PORT) : undefined,
    sslmode: env.ARA_DRILL_DB_SSLMODE === "disable" ? "disable" : "verify-full",
    pollIntervalMs: env.ARA_DRILL_POLL_MS ? Number(env.ARA_DRILL_POLL_MS) : undefined,
    readyTimeoutMs: env.ARA_DRILL_READY_TIMEOUT_MS
      ? Number(env.ARA_DRILL_READY_TIMEOUT_MS)
      : undefined,
    log: v.json ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    v.json ? `${JSON.stringify({ stack, ...report }, null, 2)}\n` : databaseText(stack, report),
  );
  return report.ok ? 0 : 1;
}

export function databaseText(stack: string, r: DatabaseDrillReport): string {
  const lines = [
    `database drill, stack ${stack}: ${r.ok ? "PASSED" : "FAILED"}`,
    ...r.steps.map(
      (s) =>
        `  ${s.ok ? "ok  " : "FAIL"}  ${s.name.padEnd(34)} ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.detail}`,
    ),
    `  restore time ${r.restoreSeconds === null ? "n/a" : `${r.restoreSeconds.toFixed(1)} s`} against the ${r.rtoSeconds / 60}-minute RTO: ${r.withinRto ? "within" : "NOT within"}`,
    `  cleanup: branch ${r.cleanup.branchDeleted ? "deleted" : "LEFT BEHIND"}, role ${r.cleanup.roleDeleted ? "deleted" : "LEFT BEHIND"}`,
  ];
  if (r.error) lines.push(`  error: ${r.error}`);
  return `${lines.join("\n")}\n`;
}

async function integrity(argv: string[]): Promise<number> {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      sample: { type: "string", default: "100" },
      prefix: { type: "string", default: "reports/" },
      json: { type: "boolean", default: false },
    },
    USAGE,
  );
  const config = stackConfig(v.stack, USAGE);
  const sample = Number(v.sample);
  if (!Number.isInteger(sample) || sample < 1) {
    throw new UsageError(`--sample must be a whole number of objects above 0, not '${v.sample}'.`);
  }
  const env = process.env;
  const need = (name: string) => {
    if (!env[name]) throw new UsageError(`${name} must be set: see \`npm run drill -- --help\`.`);
    return env[name]!;
  };
  const region = env.ARA_REPLICA_REGION ?? "us-west-2";
  const aws = {
    accessKeyId: need("AWS_ACCESS_KEY_ID"),
    secretAccessKey: need("AWS_SECRET_ACCESS_KEY"),
    sessionToken: env.AWS_SESSION_TOKEN,
  };
  const topicArn = env.ARA_ALERT_TOPIC_ARN;
  const topicRegion = topicArn?.split(":")[3] ?? "us-east-1";

  const report = await checkIntegrity({
    stack: v.stack!,
    prefix: v.prefix,
    sample,
    replica: {
      endpoint: env.ARA_REPLICA_ENDPOINT ?? `https://s3.${region}.amazonaws.com`,
      bucket: need("ARA_REPLICA_BUCKET"),
      region,
      ...aws,
    },
    r2: {
      endpoint:
        env.ARA_R2_ENDPOINT ??
        `https://${config["ara:cloudflareAccountId"]}.r2.cloudflarestorage.com`,
      bucket: env.ARA_R2_BUCKET ?? physicalName(PROJECT, v.stack!, "reports", "r2Bucket"),
      region: "auto",
      accessKeyId: need("R2_ACCESS_KEY_ID"),
      secretAccessKey: need("R2_SECRET_ACCESS_KEY"),
    },
    alert: topicArn
      ? {
          endpoint: env.ARA_SNS_ENDPOINT ?? `https://sns.${topicRegion}.amazonaws.com`,
          topicArn,
          region: topicRegion,
          ...aws,
        }
      : undefined,
  });
  process.stdout.write(
    v.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `integrity check, stack ${v.stack}: ${report.ok ? "PASSED" : "FAILED"}, ${report.sampled} of ${report.of} objects sampled${report.alerted ? ", alert published" : ""}\n${report.problems.map((p) => `  ${p.key}: ${p.problem}`).join("\n")}\n`,
  );
  return report.ok ? 0 : 1;
}

async function cache(argv: string[], overrides: Partial<CacheDrillOptions> = {}): Promise<number> {
  if (argv.some((a) => a === "--stack" || a.startsWith("--stack="))) {
    throw new UsageError(
      "--stack: the cache drill runs on this machine only, since an Upstash failover cannot be triggered from a script. Run `npm run drill -- cache` without --stack; docs/disaster-recovery.md (Cache) says where staging figures are recorded.",
    );
  }
  const v = parseOptions(
    argv,
    {
      json: { type: "boolean", default: false },
      "skip-build": { type: "boolean", default: false },
    },
    USAGE,
  );
  const report = await runCacheDrill({
    build: !v["skip-build"],
    log: v.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    ...overrides,
  });
  process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : cacheText(report));
  return report.ok ? 0 : 1;
}

export function cacheText(r: CacheDrillReport): string {
  const w = r.window;
  const counts = Object.entries(w.byStatus)
    .map(([status, n]) => `${status} ×${n}`)
    .join(", ");
  const lines = [
    `cache drill (local: built app, PostgreSQL, redis-server swapped for an empty one): ${r.ok ? "PASSED" : "FAILED"}`,
    ...r.steps.map(
      (s) =>
        `  ${s.ok ? "ok  " : "FAIL"}  ${s.name.padEnd(32)} ${(s.ms / 1000).toFixed(2).padStart(6)} s  ${s.detail.split("\n")[0]}`,
    ),
    `  time to serve again ${r.serveAgainSeconds === null ? "n/a" : `${r.serveAgainSeconds.toFixed(2)} s`} (the swap itself ${r.swapSeconds === null ? "n/a" : `${r.swapSeconds.toFixed(2)} s`}) against the ${r.rtoSeconds / 60}-minute RTO: ${r.withinRto ? "within" : "NOT within"}`,
    `  answers from the swap on: ${w.answers} in ${w.rounds} probe rounds${counts ? ` (${counts})` : ""}; 503 with Retry-After while Redis was away: ${w.unavailable}; other 5xx: ${w.serverErrors.length}; unanswered: ${w.unreachable.length}`,
    ...serviceLines(r).map((l) => `  ${l}`),
    `  a lower bound: a real Upstash failover adds its own switch-over time (docs/disaster-recovery.md)`,
  ];
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const e of r.cleanupErrors) lines.push(`  cleanup: ${e}`);
  return `${lines.join("\n")}\n`;
}
