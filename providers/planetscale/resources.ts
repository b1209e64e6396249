// Typed Pulumi resources over the PlanetScale dynamic providers.
//
// Credentials: every resource takes the service token as inputs. They are wrapped in
// pulumi.secret (so the inputs are encrypted in state even if the caller passes plain strings)
// and listed in additionalSecretOutputs (so the outputs are too). Rotating the token is an
// in-place update that only rewrites state, never a replacement.
import * as pulumi from "@pulumi/pulumi";
import type { BackupPolicyInputs, BackupPolicyOutputs } from "./backup-policy";
import type { BranchOutputs } from "./branch";
import type { DatabaseOutputs } from "./database";
import { portableProvider } from "./portable";
import type { InheritedRole, RoleOutputs } from "./role";

// Each resource stores a small closure over the bundled provider code (see ./portable.ts).
const PROVIDERS = {
  database: portableProvider("database"),
  branch: portableProvider("branch"),
  role: portableProvider("role"),
  backupPolicy: portableProvider("backupPolicy"),
};

/** Module passed to pulumi.dynamic.Resource; the type tokens below follow from it. */
export const PLANETSCALE_MODULE = "planetscale";

export const PLANETSCALE_TYPE_TOKENS = {
  database: "pulumi-nodejs:dynamic/planetscale:Database",
  branch: "pulumi-nodejs:dynamic/planetscale:Branch",
  role: "pulumi-nodejs:dynamic/planetscale:Role",
  backupPolicy: "pulumi-nodejs:dynamic/planetscale:BackupPolicy",
} as const;

const CREDENTIAL_OUTPUTS = ["serviceTokenId", "serviceToken"];

/** Outputs that are always secret, per resource (credentials are secret on all of them). */
export const PLANETSCALE_SECRET_OUTPUTS = {
  database: CREDENTIAL_OUTPUTS,
  branch: CREDENTIAL_OUTPUTS,
  role: [...CREDENTIAL_OUTPUTS, "password", "connectionString"],
  backupPolicy: CREDENTIAL_OUTPUTS,
} as const;

export interface PlanetScaleCredentialArgs {
  /** Service token id (the part before ':' in the Authorization header). */
  serviceTokenId: pulumi.Input<string>;
  /** Service token value. */
  serviceToken: pulumi.Input<string>;
}

function withSecrets(
  opts: pulumi.CustomResourceOptions | undefined,
  secrets: readonly string[],
): pulumi.CustomResourceOptions {
  return {
    ...opts,
    additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...secrets])],
  };
}

/**
 * The arguments of `pulumi.dynamic.Resource` for a resource of `kind`: its inputs are `args`
 * with the credentials made secret, plus every name in `outputs` (undefined unless `args` has
 * it), so the engine knows the outputs; `opts` gain the kind's secret outputs.
 */
function resourceArgs(
  kind: keyof typeof PROVIDERS,
  name: string,
  args: PlanetScaleCredentialArgs,
  outputs: readonly string[],
  opts: pulumi.CustomResourceOptions | undefined,
) {
  const inputs: Record<string, unknown> = args as unknown as Record<string, unknown>;
  return [
    PROVIDERS[kind],
    name,
    {
      ...args,
      serviceTokenId: pulumi.secret(args.serviceTokenId),
      serviceToken: pulumi.secret(args.serviceToken),
      ...Object.fromEntries(outputs.map((k) => [k, inputs[k]])),
    },
    withSecrets(opts, PLANETSCALE_SECRET_OUTPUTS[kind]),
    PLANETSCALE_MODULE,
    PLANETSCALE_TYPE_TOKENS[kind].split(":").pop()!,
  ] as const;
}

/** Every output the provider returns, as the resource exposes it (an absent one is undefined). */
type OutputsOf<T> = { readonly [K in keyof Required<T>]: pulumi.Output<T[K]> };

/**
 * The class of a resource of `kind`, typed by its provider's outputs so that the two cannot
 * drift apart. `outputs` names the outputs that are not also args.
 */
function planetScaleResource<Args extends PlanetScaleCredentialArgs, Outputs>(
  kind: keyof typeof PROVIDERS,
  outputs: readonly (keyof Outputs & string)[],
) {
  return class extends pulumi.dynamic.Resource {
    constructor(name: string, args: Args, opts?: pulumi.CustomResourceOptions) {
      super(...resourceArgs(kind, name, args, outputs, opts));
    }
  } as new (
    name: string,
    args: Args,
    opts?: pulumi.CustomResourceOptions,
  ) => pulumi.dynamic.Resource & OutputsOf<Outputs>;
}

// ---------------------------------------------------------------------------------------------

export interface DatabaseArgs extends PlanetScaleCredentialArgs {
  /** Organization name slug. Changing it replaces the database. */
  organization: pulumi.Input<string>;
  /** Database name. Changing it replaces the database. */
  name: pulumi.Input<string>;
  /** Region slug, e.g. "us-east". Changing it replaces the database. */
  region: pulumi.Input<string>;
  /** Postgres cluster SKU, e.g. "PS_10_AWS_ARM". Changing it resizes in place. */
  clusterSize: pulumi.Input<string>;
  /** 0 = single node (non-HA), 2+ = HA. Changing it resizes in place. */
  replicas: pulumi.Input<number>;
  /** PostgreSQL major version, e.g. "17"; default latest. Create-only: changing it replaces. */
  majorVersion?: pulumi.Input<string>;
  /** Default false. */
  deletionProtected?: pulumi.Input<boolean>;
}

/** A PlanetScale Postgres database (`kind: postgresql`). Id: "<organization>/<name>". */
export class Database extends planetScaleResource<DatabaseArgs, DatabaseOutputs>("database", [
  "databaseId",
  "kind",
  "state",
  "ready",
  "defaultBranch",
  "htmlUrl",
]) {}

// ---------------------------------------------------------------------------------------------

/** Branches, roles and backup policies are addressed within their database. */
export interface DatabaseScopedArgs extends PlanetScaleCredentialArgs {
  organization: pulumi.Input<string>;
  database: pulumi.Input<string>;
}

export interface BranchArgs extends DatabaseScopedArgs {
  /** Branch name. The database's default branch ("main") is adopted, not created. */
  name: pulumi.Input<string>;
  /** Default: the database's default branch. Changing it replaces the branch. */
  parentBranch?: pulumi.Input<string>;
  /** Default: the database's region. Changing it replaces the branch. */
  region?: pulumi.Input<string>;
  /** Postgres cluster SKU; changing it resizes in place. Omit to keep PlanetScale's default. */
  clusterSize?: pulumi.Input<string>;
  /** 0 or 2+; changing it resizes in place. Omit to keep PlanetScale's default. */
  replicas?: pulumi.Input<number>;
  /** Default false. */
  deletionProtected?: pulumi.Input<boolean>;
}

/** A branch of a PlanetScale Postgres database. Id: "<organization>/<database>/<name>". */
export class Branch extends planetScaleResource<BranchArgs, BranchOutputs>("branch", [
  "branchId",
  "production",
  "state",
  "ready",
  "htmlUrl",
  "lifecycle",
  "parentBranch",
  "region",
  "clusterSize",
]) {}

// ---------------------------------------------------------------------------------------------

export interface RoleArgs extends DatabaseScopedArgs {
  branch: pulumi.Input<string>;
  /** Role name; PlanetScale generates one if omitted. Renaming is in place. */
  name?: pulumi.Input<string>;
  /** e.g. ["pg_read_all_data", "pg_write_all_data"]. Changing it creates new credentials. */
  inheritedRoles?: pulumi.Input<pulumi.Input<InheritedRole>[]>;
  /** Seconds until the credentials expire; omit for no expiry. Changing it replaces. */
  ttl?: pulumi.Input<number>;
  /** Role id or username that receives the role's objects when it is deleted. */
  successor?: pulumi.Input<string>;
}

/**
 * Postgres credentials on a branch. Replacements create the new role before deleting the old
 * one. Id: "<organization>/<database>/<branch>/<roleId>".
 */
export class Role extends planetScaleResource<RoleArgs, RoleOutputs>("role", [
  "roleId",
  "name",
  "username",
  "password",
  "host",
  "port",
  "databaseName",
  "inheritedRoles",
  "expiresAt",
  "connectionString",
]) {}

// ---------------------------------------------------------------------------------------------

export interface BackupPolicyArgs extends DatabaseScopedArgs {
  name: pulumi.Input<string>;
  target: pulumi.Input<BackupPolicyInputs["target"]>;
  retentionValue: pulumi.Input<number>;
  retentionUnit: pulumi.Input<BackupPolicyInputs["retentionUnit"]>;
  frequencyValue: pulumi.Input<number>;
  frequencyUnit: pulumi.Input<BackupPolicyInputs["frequencyUnit"]>;
  /** "HH:MM", 24-hour UTC. */
  scheduleTime?: pulumi.Input<string>;
  /** 0 = Sunday … 6 = Saturday. */
  scheduleDay?: pulumi.Input<number>;
  /** 0 … 3, week of the month. */
  scheduleWeek?: pulumi.Input<number>;
}

/** A database backup policy. Id: "<organization>/<database>/<policyId>". */
export class BackupPolicy extends planetScaleResource<BackupPolicyArgs, BackupPolicyOutputs>(
  "backupPolicy",
  [
    "scheduleTime",
    "scheduleDay",
    "scheduleWeek",
    "policyId",
    "displayName",
    "required",
    "lastRanAt",
    "nextRunAt",
  ],
) {}
