// Dynamic provider for a PlanetScale Postgres role (credentials on a branch).
//
// PlanetScale returns the password only in the create response, so a role cannot be adopted on
// a retry: if anything fails after the role was created, the provider deletes it again before
// reporting the error, leaving nothing behind that Pulumi does not know about.
import type * as pulumi from "@pulumi/pulumi";
import type { ApiRole } from "./api-types";
import { callApi, deleteIfPresent, getOrUndefined, type Credentials } from "./client";
import {
  checkCredentials,
  checkEnumList,
  checkInteger,
  checkString,
  compact,
  credentialsFrom,
  defineProvider,
  diffProps,
  errorMessage,
  newChecker,
  slugRule,
  type Props,
  type ProviderSettings,
} from "./common";
import { waitFor } from "./wait";

/** The `inherited_roles` enum of the create_role operation. */
export const INHERITED_ROLES = [
  "pg_checkpoint",
  "pg_create_subscription",
  "pg_maintain",
  "pg_monitor",
  "pg_read_all_data",
  "pg_read_all_settings",
  "pg_read_all_stats",
  "pg_signal_backend",
  "pg_stat_scan_tables",
  "pg_use_reserved_connections",
  "pg_write_all_data",
  "postgres",
] as const;

export type InheritedRole = (typeof INHERITED_ROLES)[number];

/** PostgreSQL's port on PlanetScale (6432 is PgBouncer). */
export const POSTGRES_PORT = 5432;

export type RoleInputs = {
  serviceTokenId: string;
  serviceToken: string;
  organization: string;
  database: string;
  branch: string;
  name?: string;
  inheritedRoles?: InheritedRole[];
  ttl?: number;
  successor?: string;
};

export type RoleOutputs = RoleInputs & {
  roleId: string;
  name: string;
  username: string;
  /** Secret. */
  password: string;
  /** Hostname (access_host_url). */
  host: string;
  /** 5432 (direct PostgreSQL; PlanetScale's PgBouncer listens on 6432). */
  port: number;
  databaseName: string;
  inheritedRoles: InheritedRole[];
  expiresAt: string | null;
  /** Secret. postgresql://user:pass@host:5432/db?sslmode=verify-full */
  connectionString: string;
};

export function checkRoleInputs(news: Props): pulumi.dynamic.CheckResult {
  const c = newChecker(news);
  checkCredentials(c);
  checkString(c, "organization", slugRule(true));
  checkString(c, "database", slugRule(true));
  checkString(c, "branch", slugRule(true));
  checkString(c, "name", {
    pattern: "[a-z_][a-z0-9_-]*",
    maxLength: 63,
    hint: "use lowercase letters, digits, '_' or '-', starting with a letter or '_'.",
  });
  checkEnumList(c, "inheritedRoles", INHERITED_ROLES);
  checkInteger(c, "ttl", { min: 1, hint: "seconds until the credentials expire; omit for none." });
  checkString(c, "successor", { hint: "a role id or username." });
  return { inputs: c.inputs, failures: c.failures };
}

export function diffRole(olds: Props, news: Props): pulumi.dynamic.DiffResult {
  // New credentials are created before the old role is deleted (no identity keys), so apps can
  // switch without a gap. Changing `name` alone renames in place.
  return diffProps(olds, news, {
    replace: ["organization", "database", "branch", "inheritedRoles", "ttl"],
    update: ["name", "successor", "serviceTokenId", "serviceToken"],
    identity: [],
  });
}

function label(r: { organization: string; database: string; branch: string }, id?: string) {
  return `role ${id ?? "(new)"} on branch ${r.organization}/${r.database}/${r.branch}`;
}

function params(r: RoleInputs, id: string) {
  return { organization: r.organization, database: r.database, branch: r.branch, id };
}

export function connectionString(
  username: string,
  password: string,
  host: string,
  databaseName: string,
): string {
  return (
    `postgresql://${encodeURIComponent(username)}:${encodeURIComponent(password)}` +
    `@${host}:${POSTGRES_PORT}/${encodeURIComponent(databaseName)}?sslmode=verify-full`
  );
}

function outputsOf(r: RoleInputs, role: ApiRole, password: string): RoleOutputs {
  return compact({
    serviceTokenId: r.serviceTokenId,
    serviceToken: r.serviceToken,
    organization: r.organization,
    database: r.database,
    branch: r.branch,
    successor: r.successor,
    roleId: role.id,
    name: role.name,
    username: role.username,
    password,
    host: role.access_host_url,
    port: POSTGRES_PORT,
    databaseName: role.database_name,
    inheritedRoles: [...role.inherited_roles].sort() as InheritedRole[],
    ttl: r.ttl,
    expiresAt: role.expires_at,
    connectionString: connectionString(
      role.username,
      password,
      role.access_host_url,
      role.database_name,
    ),
  });
}

async function deleteRole(s: ProviderSettings, creds: Credentials, r: RoleInputs, id: string) {
  await deleteIfPresent(s.client, creds, {
    operationId: "delete_role",
    params: params(r, id),
    query: { successor: r.successor },
    resource: label(r, id),
  });
}

export const createRoleProvider = defineProvider(checkRoleInputs, diffRole, (s) => ({
  async create(inputs) {
    const r = inputs as unknown as RoleInputs;
    const creds = credentialsFrom(inputs, `create a ${label(r)}`);
    const created = await callApi<ApiRole>(s.client, creds, {
      operationId: "create_role",
      params: { organization: r.organization, database: r.database, branch: r.branch },
      body: compact({ name: r.name, ttl: r.ttl, inherited_roles: r.inheritedRoles }),
      resource: label(r),
    });
    const role = created.body;
    if (!role?.id) throw new Error(`PlanetScale created a ${label(r)} but returned no id.`);
    try {
      if (!role.password) {
        throw new Error("the create response carried no password");
      }
      const ready = await waitFor(
        {
          what: label(r, role.id),
          goal: "ready",
          poll: async () =>
            (
              await callApi<ApiRole>(s.client, creds, {
                operationId: "get_role",
                params: params(r, role.id),
                resource: label(r, role.id),
              })
            ).body as ApiRole,
          isDone: (v) => v.ready === true,
          stateOf: (v) => (v.ready ? "ready" : "not ready"),
        },
        s.poll,
      );
      const id = `${r.organization}/${r.database}/${r.branch}/${role.id}`;
      return { id, outs: outputsOf(r, ready, role.password) };
    } catch (e) {
      // Its password is only ever shown once, so a half-made role is useless: remove it.
      let cleanup = "it was deleted again";
      try {
        await deleteRole(s, creds, r, role.id);
      } catch (d) {
        cleanup = `deleting it failed too (${errorMessage(d)}); delete role ${role.id} by hand`;
      }
      throw new Error(
        `PlanetScale ${label(r, role.id)} was created but could not be completed, so ${cleanup}:` +
          ` ${errorMessage(e)}`,
      );
    }
  },

  async read(id: string, props?: Props) {
    const p = (props ?? {}) as unknown as RoleOutputs;
    const roleId = typeof p.roleId === "string" ? p.roleId : id.split("/")[3];
    if (!roleId || typeof p.password !== "string") {
      throw new Error(
        `Cannot read PlanetScale role "${id}": its password exists only in Pulumi state, so` +
          ` roles cannot be imported. Create a new Role resource instead.`,
      );
    }
    const creds = credentialsFrom(props ?? {}, `read ${label(p, roleId)}`);
    const role = await getOrUndefined<ApiRole>(s.client, creds, {
      operationId: "get_role",
      params: params(p, roleId),
      resource: label(p, roleId),
    });
    if (!role || role.deleted_at || role.dropped_at) return { id: "" };
    return { id, props: outputsOf(p, role, p.password) };
  },

  async update(_id, olds, news) {
    const r = news as unknown as RoleInputs;
    const old = olds as unknown as RoleOutputs;
    const creds = credentialsFrom(news, `update ${label(r, old.roleId)}`);
    let role: ApiRole | undefined;
    if (r.name !== undefined && r.name !== old.name) {
      role = (
        await callApi<ApiRole>(s.client, creds, {
          operationId: "update_role",
          params: params(r, old.roleId),
          body: { name: r.name },
          resource: label(r, old.roleId),
        })
      ).body;
    }
    role ??= (
      await callApi<ApiRole>(s.client, creds, {
        operationId: "get_role",
        params: params(r, old.roleId),
        resource: label(r, old.roleId),
      })
    ).body;
    if (!role) throw new Error(`PlanetScale returned no body for ${label(r, old.roleId)}.`);
    return { outs: outputsOf(r, role, old.password) };
  },

  async delete(_id, props) {
    const r = props as unknown as RoleOutputs;
    const creds = credentialsFrom(props, `delete ${label(r, r.roleId)}`);
    await deleteRole(s, creds, r, r.roleId);
  },
}));
