// The provider objects handed to pulumi.dynamic.Resource. Each is a plain object whose methods
// close over plain settings and functions from this folder, so Pulumi's closure serializer can
// store it in state and the deploy-time host can rebuild it (see docs/decisions/0002-*).
import type * as pulumi from "@pulumi/pulumi";
import { createBackupPolicyProvider } from "./backup-policy";
import { createBranchProvider } from "./branch";
import type { ProviderOptions } from "./common";
import { createDatabaseProvider } from "./database";
import { createRoleProvider } from "./role";

export {
  createBackupPolicyProvider,
  createBranchProvider,
  createDatabaseProvider,
  createRoleProvider,
};
export type { ProviderOptions };

export interface PlanetScaleProviders {
  database: pulumi.dynamic.ResourceProvider;
  branch: pulumi.dynamic.ResourceProvider;
  role: pulumi.dynamic.ResourceProvider;
  backupPolicy: pulumi.dynamic.ResourceProvider;
}

/** Providers with custom settings (API URL, polling, retries): used by tests. */
export function createPlanetScaleProviders(options: ProviderOptions = {}): PlanetScaleProviders {
  return {
    database: createDatabaseProvider(options),
    branch: createBranchProvider(options),
    role: createRoleProvider(options),
    backupPolicy: createBackupPolicyProvider(options),
  };
}

/** Production defaults: https://api.planetscale.com/v1, poll every 10 s for up to 30 min. */
export const databaseProvider = createDatabaseProvider();
export const branchProvider = createBranchProvider();
export const roleProvider = createRoleProvider();
export const backupPolicyProvider = createBackupPolicyProvider();
