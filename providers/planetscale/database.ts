// Dynamic provider for a PlanetScale Postgres database (`kind: postgresql`).
//
// The database's size lives on its default (production) branch, so a resize is a branch change
// request (PATCH .../branches/{default}/changes), an in-place update. A rename, region or
// organization change is a replacement.
import type * as pulumi from "@pulumi/pulumi";
import type { ApiBranch, ApiDatabase } from "./api-types";
import { callApi, deleteIfPresent, getOrUndefined, type Credentials } from "./client";
import {
  checkBoolean,
  checkCredentials,
  checkInteger,
  checkString,
  compact,
  credentialsFrom,
  defineProvider,
  diffProps,
  errorMessage,
  newChecker,
  omit,
  postgresClusterSizeRule,
  replicasRule,
  slugRule,
  type Props,
  type ProviderSettings,
} from "./common";
import { isApiError, resourceInitError } from "./errors";
import { waitFor } from "./wait";

/** Inputs after `check` (plain values). */
export type DatabaseInputs = {
  serviceTokenId: string;
  serviceToken: string;
  organization: string;
  name: string;
  region: string;
  clusterSize: string;
  replicas: number;
  majorVersion?: string;
  deletionProtected: boolean;
};

export type DatabaseOutputs = DatabaseInputs & {
  /** Cluster size of the default branch, as PlanetScale reports it. */
  clusterSize: string;
  /** PlanetScale's id of the database. */
  databaseId: string;
  kind: "postgresql";
  state: string;
  ready: boolean;
  /** Name of the production branch created with the database (normally "main"). */
  defaultBranch: string;
  htmlUrl: string;
};

const CREDENTIAL_KEYS = ["serviceTokenId", "serviceToken"];

export function checkDatabaseInputs(news: Props): pulumi.dynamic.CheckResult {
  const c = newChecker(news);
  checkCredentials(c);
  checkString(c, "organization", slugRule(true));
  checkString(c, "name", slugRule(true));
  checkString(c, "region", {
    required: true,
    pattern: "[a-z0-9][a-z0-9-]*",
    hint: "use a PlanetScale region slug such as us-east or aws-us-east-2.",
  });
  checkString(c, "clusterSize", postgresClusterSizeRule(true));
  checkInteger(c, "replicas", replicasRule(true));
  checkString(c, "majorVersion", {
    pattern: "[0-9]{2}",
    hint: "use a PostgreSQL major version such as 17.",
  });
  checkBoolean(c, "deletionProtected", false);
  return { inputs: c.inputs, failures: c.failures };
}

export function diffDatabase(olds: Props, news: Props): pulumi.dynamic.DiffResult {
  return diffProps(olds, news, {
    replace: ["organization", "name", "region", "majorVersion"],
    update: ["clusterSize", "replicas", "deletionProtected", "serviceTokenId", "serviceToken"],
    identity: ["organization", "name"],
  });
}

function label(d: { organization: string; name: string }): string {
  return `database ${d.organization}/${d.name}`;
}

function getDatabase(s: ProviderSettings, creds: Credentials, org: string, name: string) {
  return getOrUndefined<ApiDatabase>(s.client, creds, {
    operationId: "get_database",
    params: { organization: org, database: name },
    resource: `database ${org}/${name}`,
  });
}

async function requireDatabase(s: ProviderSettings, creds: Credentials, d: DatabaseInputs) {
  const db = await getDatabase(s, creds, d.organization, d.name);
  if (!db) {
    throw new Error(
      `PlanetScale ${label(d)} no longer exists (deleted outside Pulumi?). Run \`pulumi refresh\`` +
        ` to drop it from state, then \`pulumi up\` to create it again.`,
    );
  }
  return db;
}

function resizing(db: ApiDatabase): boolean {
  return db.resizing || db.resize_queued;
}

/** Waits until the database and its default branch are ready and no resize is running. */
async function waitSettled(
  s: ProviderSettings,
  creds: Credentials,
  d: DatabaseInputs,
  expectedClusterSize: string | undefined,
): Promise<{ db: ApiDatabase; branch: ApiBranch }> {
  return waitFor(
    {
      what: label(d),
      goal: expectedClusterSize
        ? `ready at cluster size ${expectedClusterSize}`
        : "ready with no resize running",
      poll: async () => {
        const db = await requireDatabase(s, creds, d);
        if (db.state !== "ready" || resizing(db)) return { db, branch: undefined };
        const branch = await callApi<ApiBranch>(s.client, creds, {
          operationId: "get_branch",
          params: { organization: d.organization, database: d.name, branch: db.default_branch },
          resource: `branch ${d.organization}/${d.name}/${db.default_branch}`,
        });
        return { db, branch: branch.body };
      },
      isDone: (v): v is { db: ApiDatabase; branch: ApiBranch } =>
        v.branch !== undefined &&
        v.branch.state === "ready" &&
        (expectedClusterSize === undefined || v.branch.cluster_name === expectedClusterSize),
      stateOf: (v) =>
        `database ${v.db.state}${v.db.resizing ? ", resizing" : ""}` +
        `${v.db.resize_queued ? ", resize queued" : ""}` +
        (v.branch ? `; branch ${v.branch.state} at ${v.branch.cluster_name}` : ""),
    },
    s.poll,
  ) as Promise<{ db: ApiDatabase; branch: ApiBranch }>;
}

function outputsOf(d: DatabaseInputs, db: ApiDatabase, branch: ApiBranch): DatabaseOutputs {
  return compact({
    serviceTokenId: d.serviceTokenId,
    serviceToken: d.serviceToken,
    organization: d.organization,
    name: db.name,
    region: db.region.slug,
    clusterSize: branch.cluster_name,
    replicas: d.replicas,
    majorVersion: d.majorVersion,
    deletionProtected: db.deletion_protected,
    databaseId: db.id,
    kind: "postgresql",
    state: db.state,
    ready: db.ready,
    defaultBranch: db.default_branch,
    htmlUrl: db.html_url,
  });
}

/**
 * Brings an existing database to the desired settings: waits for ready, applies deletion
 * protection, resizes the default branch if needed and waits for the resize to finish. Every
 * step checks the live value first, so it is safe to repeat after a partial failure.
 */
async function converge(
  s: ProviderSettings,
  creds: Credentials,
  d: DatabaseInputs,
  olds: Props | undefined,
): Promise<DatabaseOutputs> {
  let { db, branch } = await waitSettled(s, creds, d, undefined);
  if (db.deletion_protected !== d.deletionProtected) {
    const res = await callApi<ApiDatabase>(s.client, creds, {
      operationId: "update_database_settings",
      params: { organization: d.organization, database: d.name },
      body: { deletion_protected: d.deletionProtected },
      resource: label(d),
    });
    if (res.body) db = res.body;
  }
  const sizeChanged = branch.cluster_name !== d.clusterSize;
  // The API exposes only has_replicas, not the count: compare with the last applied count when
  // there is one, else with what has_replicas implies.
  const oldReplicas = olds?.["replicas"];
  const replicasChanged =
    typeof oldReplicas === "number"
      ? oldReplicas !== d.replicas
      : d.replicas > 0 !== branch.has_replicas;
  if (sizeChanged || replicasChanged) {
    await callApi(s.client, creds, {
      operationId: "update_branch_change_request",
      params: { organization: d.organization, database: d.name, branch: db.default_branch },
      body: compact({
        cluster_size: sizeChanged ? d.clusterSize : undefined,
        replicas: replicasChanged ? d.replicas : undefined,
      }),
      resource: `branch ${d.organization}/${d.name}/${db.default_branch}`,
    });
    ({ db, branch } = await waitSettled(s, creds, d, d.clusterSize));
  }
  return outputsOf(d, db, branch);
}

function adoptionMismatch(existing: ApiDatabase, d: DatabaseInputs): string | undefined {
  if (existing.kind !== "postgresql") return `it is a ${existing.kind} database`;
  if (existing.region.slug !== d.region) return `it is in region ${existing.region.slug}`;
  return undefined;
}

export const createDatabaseProvider = defineProvider(checkDatabaseInputs, diffDatabase, (s) => ({
  async create(inputs) {
    const d = inputs as unknown as DatabaseInputs;
    const creds = credentialsFrom(inputs, `create ${label(d)}`);
    const id = `${d.organization}/${d.name}`;
    try {
      await callApi<ApiDatabase>(s.client, creds, {
        operationId: "create_database",
        params: { organization: d.organization },
        body: compact({
          name: d.name,
          region: d.region,
          cluster_size: d.clusterSize,
          replicas: d.replicas,
          kind: "postgresql",
          major_version: d.majorVersion,
        }),
        resource: label(d),
      });
    } catch (e) {
      // "Name taken": most likely our own earlier create that failed before Pulumi recorded
      // it. Adopt the database if it is the one we asked for; otherwise report the clash.
      if (!isApiError(e, 409) && !isApiError(e, 422)) throw e;
      const existing = await getDatabase(s, creds, d.organization, d.name);
      if (!existing) throw e;
      const mismatch = adoptionMismatch(existing, d);
      if (mismatch) {
        throw new Error(
          `PlanetScale ${label(d)} already exists but ${mismatch}, so it was not created by` +
            ` this program. Pick another name, or remove the existing database first.`,
        );
      }
    }
    try {
      return { id, outs: await converge(s, creds, d, undefined) };
    } catch (e) {
      // The database exists: record it (without secrets) so the next `pulumi up` resumes
      // through update instead of trying to create it again.
      throw resourceInitError(
        `PlanetScale ${label(d)} was created but is not finished: ${errorMessage(e)}`,
        id,
        omit({ ...d, kind: "postgresql" }, CREDENTIAL_KEYS),
      );
    }
  },

  async read(id: string, props?: Props) {
    const p = props ?? {};
    const [orgFromId, nameFromId] = id.split("/");
    const org = typeof p["organization"] === "string" ? p["organization"] : orgFromId;
    const name = typeof p["name"] === "string" ? p["name"] : nameFromId;
    if (!org || !name) throw new Error(`Cannot read PlanetScale database with id "${id}".`);
    const creds = credentialsFrom(p, `read database ${org}/${name}`);
    const db = await getDatabase(s, creds, org, name);
    if (!db) return { id: "" };
    const branch = await getOrUndefined<ApiBranch>(s.client, creds, {
      operationId: "get_branch",
      params: { organization: org, database: name, branch: db.default_branch },
      resource: `branch ${org}/${name}/${db.default_branch}`,
    });
    const d = {
      ...(p as unknown as DatabaseInputs),
      organization: org,
      name,
      clusterSize: branch?.cluster_name ?? String(p["clusterSize"] ?? ""),
    };
    return {
      id,
      props: outputsOf(d, db, branch ?? ({ cluster_name: d.clusterSize } as ApiBranch)),
    };
  },

  async update(_id, olds, news) {
    const d = news as unknown as DatabaseInputs;
    const creds = credentialsFrom(news, `update ${label(d)}`);
    return { outs: await converge(s, creds, d, olds) };
  },

  async delete(_id, props) {
    const d = props as unknown as DatabaseInputs;
    const creds = credentialsFrom(props, `delete ${label(d)}`);
    const db = await getDatabase(s, creds, d.organization, d.name);
    if (!db) return;
    if (db.deletion_protected) {
      throw new Error(
        `PlanetScale ${label(d)} has deletion protection on, so it was not deleted. To really` +
          ` delete it, set deletionProtected: false, run \`pulumi up\`, then delete again.`,
      );
    }
    await deleteIfPresent(s.client, creds, {
      operationId: "delete_database",
      params: { organization: d.organization, database: d.name },
      resource: label(d),
    });
  },
}));
