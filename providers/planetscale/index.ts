// Public surface of the PlanetScale dynamic provider (consumed by components/database).
export {
  BackupPolicy,
  Branch,
  Database,
  PLANETSCALE_MODULE,
  PLANETSCALE_SECRET_OUTPUTS,
  PLANETSCALE_TYPE_TOKENS,
  Role,
  type BackupPolicyArgs,
  type BranchArgs,
  type DatabaseArgs,
  type PlanetScaleCredentialArgs,
  type RoleArgs,
} from "./resources";
export { createPlanetScaleProviders, type PlanetScaleProviders } from "./providers";
export type { ProviderOptions } from "./common";
export { connectionString, INHERITED_ROLES, POSTGRES_PORT, type InheritedRole } from "./role";
export type { BranchLifecycle } from "./branch";
