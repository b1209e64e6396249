// The fields of PlanetScale API objects that the provider reads (subset of the OpenAPI schemas in
// tests/fixtures/planetscale/openapi.json). Type-only: nothing here exists at runtime.

export interface ApiRegion {
  slug: string;
}

export interface ApiDatabase {
  id: string;
  name: string;
  kind: "mysql" | "postgresql";
  state: string;
  ready: boolean;
  region: ApiRegion;
  default_branch: string;
  html_url: string;
  deletion_protected: boolean;
  resizing: boolean;
  resize_queued: boolean;
}

export interface ApiBranch {
  id: string;
  name: string;
  kind: "mysql" | "postgresql";
  state: string;
  ready: boolean;
  production: boolean;
  deletion_protected: boolean;
  parent_branch: string | null;
  cluster_name: string;
  has_replicas: boolean;
  html_url: string;
  region: ApiRegion;
}

export interface ApiRole {
  id: string;
  name: string;
  username: string;
  password: string | null;
  access_host_url: string;
  database_name: string;
  ready: boolean;
  ttl: number;
  expires_at: string | null;
  deleted_at: string | null;
  dropped_at: string | null;
  inherited_roles: string[];
}

export interface ApiBackupPolicy {
  id: string;
  name: string;
  display_name: string;
  target: "production" | "development";
  retention_value: number;
  retention_unit: string;
  frequency_value: number;
  frequency_unit: string;
  schedule_time: string;
  schedule_day: number | null;
  schedule_week: number | null;
  last_ran_at: string | null;
  next_run_at: string | null;
  required: boolean;
}
