import * as pulumi from "@pulumi/pulumi";
import { AraComponent, stateful, type Protection } from "../component";
import { createPrivateS3Bucket } from "../private-s3-bucket";
import {
  BackupPolicy,
  Branch,
  Database as PlanetScaleDatabase,
  Role,
} from "../../providers/planetscale";

/** PgBouncer on PlanetScale Postgres listens beside the database on this port. */
export const POOLER_PORT = 6432;

/** Days an overwritten or expired dump survives as a non-current version. */
const OVERWRITTEN_DUMP_DAYS = 7;

export interface DatabaseBackupArgs {
  /**
   * How often the production branch is backed up.
   */
  frequency: "daily" | "weekly";
  /**
   * Days each backup is kept.
   */
  retentionDays: pulumi.Input<number>;
  /**
   * UTC time the backup runs, HH:MM; weekly backups run on Sundays, inside the
   * Sunday 02:00–04:00 UTC maintenance window (docs/architecture.md).
   */
  scheduleTime: pulumi.Input<string>;
}

export interface DatabaseCrossRegionCopyArgs {
  /**
   * Create the versioned S3 bucket that `npm run backup` writes the nightly encrypted
   * `pg_dump` to: a copy outside PlanetScale, in another region. It decides whether the
   * bucket exists, so it is a plain value.
   */
  enabled: boolean;
  /** AWS region of the backup bucket; the stack's one AWS provider is redirected per resource. */
  region: pulumi.Input<string>;
  /** Dumps are deleted this many days after upload. */
  retentionDays: pulumi.Input<number>;
}

/** Where the cross-region copy is written: `npm run backup`'s ARA_BACKUP_BUCKET and ARA_BACKUP_REGION. */
export interface DatabaseBackupBucket {
  bucket: pulumi.Output<string>;
  region: pulumi.Output<string>;
}

/**
 * Settings of the `Database` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface DatabaseArgs {
  /** PlanetScale organization slug. */
  organization: pulumi.Input<string>;
  /**
   * PlanetScale region slug.
   */
  region: pulumi.Input<string>;
  /**
   * Postgres cluster SKU of the production branch.
   */
  clusterSize: pulumi.Input<string>;
  /**
   * 0 for a single node, 2 or more for high availability.
   */
  replicas: pulumi.Input<number>;
  /**
   * Postgres major version; changing it replaces the database.
   */
  majorVersion: pulumi.Input<string>;
  /**
   * Create a `development` branch off `main` for schema work. It decides whether the branch
   * exists, so it is a plain value.
   */
  developmentBranch: boolean;
  /**
   * PlanetScale's deletion protection on the database and its production branch.
   */
  deletionProtection: pulumi.Input<boolean>;
  /** The backup policy of the production branch. */
  backup: DatabaseBackupArgs;
  /** The cross-region logical copy (prod). */
  crossRegionCopy: DatabaseCrossRegionCopyArgs;
  /** The PlanetScale service token (secret inputs; never logged). */
  serviceTokenId: pulumi.Input<string>;
  serviceToken: pulumi.Input<string>;
  /** Protection for everything here: all of it holds or guards data. */
  protection: Protection;
}

/**
 * The `Database` component is the app's PostgreSQL on PlanetScale (`kind: postgresql`): the
 * database, its `main` branch (and a `development` branch where configured), a backup policy,
 * and two credentials:
 * - the app role, with `pg_read_all_data` and `pg_write_all_data` only: it reads and writes
 *   rows but cannot change the schema; the app connects through PgBouncer (port 6432);
 * - the migrator role, which inherits `postgres`, used only to run migrations (which create
 *   the tables, `CREATE EXTENSION pgcrypto`, and `vector` where the server offers it, as
 *   PlanetScale does: app/web/src/migrations.ts, decision 0011). It connects directly
 *   (port 5432), because the migration lock is a session advisory lock that transaction
 *   pooling would break.
 *
 * Both connection strings require TLS with certificate and host verification
 * (`sslmode=verify-full`) and are secret.
 *
 * Where `crossRegionCopy` is on, it also owns the versioned S3 bucket in another region that
 * the nightly `npm run backup` job fills (.github/workflows/backup.yml); it needs an AWS
 * provider then.
 *
 * #### Minimal example
 * ```ts
 * const db = new Database("database", { organization: "ara", region: "us-east",
 *   clusterSize: "PS_10_AWS_ARM", replicas: 0, majorVersion: "17", developmentBranch: true,
 *   deletionProtection: false, backup: { frequency: "weekly", retentionDays: 7, scheduleTime: "03:00" },
 *   crossRegionCopy: { enabled: false, region: "us-west-2", retentionDays: 7 },
 *   serviceTokenId, serviceToken, protection: { protect: false, retainOnDelete: false } });
 * ```
 */
export class Database extends AraComponent {
  /** The app's connection string (pooled, least privilege). Secret. */
  public readonly connectionString: pulumi.Output<string>;
  /** The migrator's connection string (direct, may change the schema). Secret. */
  public readonly migrationConnectionString: pulumi.Output<string>;
  /** The PlanetScale database name. */
  public readonly databaseName: pulumi.Output<string>;
  /** Branches this component manages. */
  public readonly branches: pulumi.Output<string[]>;
  /** The cross-region backup bucket, or undefined when `crossRegionCopy.enabled` is false. */
  public readonly backupBucket: DatabaseBackupBucket | undefined;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:database:Database", name, opts);

    const physicalName = this.physical("system", "planetscaleDatabase");
    const database = createDatabase(this, name, physicalName, args);
    const scope: Scope = {
      serviceTokenId: args.serviceTokenId,
      serviceToken: args.serviceToken,
      organization: args.organization,
      database: database.name,
    };
    const { main, branches } = createBranches(this, name, scope, args);
    createBackupPolicy(this, name, scope, physicalName, args);
    const { app, migrator } = createRoles(this, name, scope, main, args);
    this.backupBucket = args.crossRegionCopy.enabled
      ? createBackupBucket(this, name, this.physical("database-backup", "s3Bucket"), args)
      : undefined;

    this.databaseName = database.name;
    this.branches = pulumi.all(branches);
    this.connectionString = pulumi.secret(
      pulumi
        .all([app.username, app.password, app.host, app.databaseName])
        .apply(([user, password, host, db]) => postgresUrl(user, password, host, POOLER_PORT, db)),
    );
    this.migrationConnectionString = pulumi.secret(migrator.connectionString);

    this.registerOutputs({
      databaseName: this.databaseName,
      branches: this.branches,
      connectionString: this.connectionString,
      migrationConnectionString: this.migrationConnectionString,
      ...(this.backupBucket && {
        backupBucket: this.backupBucket.bucket,
        backupRegion: this.backupBucket.region,
      }),
    });
  }
}

/** What every PlanetScale resource below the database is addressed by. */
interface Scope {
  serviceTokenId: pulumi.Input<string>;
  serviceToken: pulumi.Input<string>;
  organization: pulumi.Input<string>;
  database: pulumi.Input<string>;
}

function createDatabase(
  parent: Database,
  name: string,
  physicalName: string,
  args: DatabaseArgs,
): PlanetScaleDatabase {
  return new PlanetScaleDatabase(
    `${name}-postgres`,
    {
      serviceTokenId: args.serviceTokenId,
      serviceToken: args.serviceToken,
      organization: args.organization,
      name: physicalName,
      region: args.region,
      clusterSize: args.clusterSize,
      replicas: args.replicas,
      majorVersion: args.majorVersion,
      deletionProtected: args.deletionProtection,
    },
    stateful(parent, args.protection),
  );
}

function createBranches(parent: Database, name: string, scope: Scope, args: DatabaseArgs) {
  const data = stateful(parent, args.protection);
  // `main` exists as soon as the database does (the provider adopts it); managing it pins
  // its deletion protection.
  const main = new Branch(
    `${name}-main`,
    { ...scope, name: "main", deletionProtected: args.deletionProtection },
    data,
  );
  const branches: pulumi.Output<string>[] = [main.name];
  if (args.developmentBranch) {
    // A development branch runs on PS-DEV, of the same cloud and architecture as `main`.
    const clusterSize = pulumi
      .output(args.clusterSize)
      .apply((sku) => sku.replace(/^PS_[A-Z0-9]+_/, "PS_DEV_"));
    const development = new Branch(
      `${name}-development`,
      { ...scope, name: "development", parentBranch: main.name, clusterSize },
      data,
    );
    branches.push(development.name);
  }
  return { main, branches };
}

function createBackupPolicy(
  parent: Database,
  name: string,
  scope: Scope,
  physicalName: string,
  args: DatabaseArgs,
): BackupPolicy {
  return new BackupPolicy(
    `${name}-backups`,
    {
      ...scope,
      name: `${physicalName}-${args.backup.frequency}`,
      target: "production",
      frequencyValue: 1,
      frequencyUnit: args.backup.frequency === "daily" ? "day" : "week",
      retentionValue: args.backup.retentionDays,
      retentionUnit: "day",
      scheduleTime: args.backup.scheduleTime,
      // Weekly backups run on Sunday, inside the maintenance window (docs/architecture.md).
      scheduleDay: args.backup.frequency === "weekly" ? 0 : undefined,
    },
    stateful(parent, args.protection),
  );
}

/**
 * Dumps have dated keys and are never rewritten, so the current version simply expires. The
 * backup job's role may put and get but not delete; an overwritten dump stays restorable as a
 * non-current version for a week.
 */
function createBackupBucket(
  parent: Database,
  name: string,
  physicalName: string,
  args: DatabaseArgs,
): DatabaseBackupBucket {
  const { region, retentionDays } = args.crossRegionCopy;
  const bucket = createPrivateS3Bucket(parent, `${name}-backup`, {
    physicalName,
    region,
    protection: args.protection,
    lifecycleRules: [
      {
        id: "expire-dumps",
        status: "Enabled",
        filter: {},
        expiration: { days: retentionDays },
        noncurrentVersionExpiration: { noncurrentDays: OVERWRITTEN_DUMP_DAYS },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ],
  });
  return { bucket: bucket.bucket, region: pulumi.output(region) };
}

/** The app reads and writes rows only; the migrator owns the schema. */
function createRoles(
  parent: Database,
  name: string,
  scope: Scope,
  main: Branch,
  args: DatabaseArgs,
) {
  const data = stateful(parent, args.protection);
  const app = new Role(
    `${name}-app-role`,
    {
      ...scope,
      branch: main.name,
      name: "ara_app",
      inheritedRoles: ["pg_read_all_data", "pg_write_all_data"],
    },
    data,
  );
  const migrator = new Role(
    `${name}-migrator-role`,
    { ...scope, branch: main.name, name: "ara_migrator", inheritedRoles: ["postgres"] },
    data,
  );
  return { app, migrator };
}

/** A libpq URL that refuses to connect without TLS and a certificate matching the host. */
export function postgresUrl(
  user: string,
  password: string,
  host: string,
  port: number,
  database: string,
): string {
  const e = encodeURIComponent;
  return `postgresql://${e(user)}:${e(password)}@${host}:${port}/${e(database)}?sslmode=verify-full`;
}
