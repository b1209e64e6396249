// Dynamic provider for a branch of a PlanetScale Postgres database.
//
// A new database already has its default production branch (`main`). Declaring a Branch with
// that name adopts it instead of creating it; such a branch is owned by the database, so
// deleting the Branch resource only forgets it (`lifecycle: "database-default"`).
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

export type BranchInputs = {
  serviceTokenId: string;
  serviceToken: string;
  organization: string;
  database: string;
  name: string;
  parentBranch?: string;
  region?: string;
  clusterSize?: string;
  replicas?: number;
  deletionProtected: boolean;
};

/** "owned": created (or resumed) by this resource. "database-default": the database's own branch. */
export type BranchLifecycle = "owned" | "database-default";

export type BranchOutputs = Omit<BranchInputs, "parentBranch" | "region"> & {
  branchId: string;
  parentBranch: string | null;
  region: string;
  clusterSize: string;
  production: boolean;
  state: string;
  ready: boolean;
  htmlUrl: string;
  /** "database-default" when this is the database's own default branch (delete only forgets it). */
  lifecycle: BranchLifecycle;
};

const CREDENTIAL_KEYS = ["serviceTokenId", "serviceToken"];

export function checkBranchInputs(news: Props): pulumi.dynamic.CheckResult {
  const c = newChecker(news);
  checkCredentials(c);
  checkString(c, "organization", slugRule(true));
  checkString(c, "database", slugRule(true));
  checkString(c, "name", slugRule(true));
  checkString(c, "parentBranch", slugRule(false));
  checkString(c, "region", {
    pattern: "[a-z0-9][a-z0-9-]*",
    hint: "use a PlanetScale region slug such as us-east.",
  });
  checkString(c, "clusterSize", postgresClusterSizeRule(false));
  checkInteger(c, "replicas", replicasRule(false));
  checkBoolean(c, "deletionProtected", false);
  return { inputs: c.inputs, failures: c.failures };
}

export function diffBranch(olds: Props, news: Props): pulumi.dynamic.DiffResult {
  return diffProps(olds, news, {
    replace: ["organization", "database", "name", "parentBranch", "region"],
    update: ["clusterSize", "replicas", "deletionProtected", "serviceTokenId", "serviceToken"],
    identity: ["organization", "database", "name"],
  });
}

function label(b: { organization: string; database: string; name: string }): string {
  return `branch ${b.organization}/${b.database}/${b.name}`;
}

function params(b: { organization: string; database: string; name: string }) {
  return { organization: b.organization, database: b.database, branch: b.name };
}

function getBranch(s: ProviderSettings, creds: Credentials, b: BranchInputs) {
  return getOrUndefined<ApiBranch>(s.client, creds, {
    operationId: "get_branch",
    params: params(b),
    resource: label(b),
  });
}

async function waitSettled(
  s: ProviderSettings,
  creds: Credentials,
  b: BranchInputs,
  expectedClusterSize: string | undefined,
): Promise<ApiBranch> {
  const result = await waitFor(
    {
      what: label(b),
      goal: expectedClusterSize ? `ready at cluster size ${expectedClusterSize}` : "ready",
      poll: async () => {
        const branch = await getBranch(s, creds, b);
        if (!branch) {
          throw new Error(`PlanetScale ${label(b)} disappeared while waiting for it to be ready.`);
        }
        if (branch.state !== "ready" || expectedClusterSize === undefined) {
          return { branch, db: undefined };
        }
        const db = await callApi<ApiDatabase>(s.client, creds, {
          operationId: "get_database",
          params: { organization: b.organization, database: b.database },
          resource: `database ${b.organization}/${b.database}`,
        });
        return { branch, db: db.body };
      },
      isDone: (v) =>
        v.branch.state === "ready" &&
        (expectedClusterSize === undefined ||
          (v.branch.cluster_name === expectedClusterSize &&
            v.db !== undefined &&
            !v.db.resizing &&
            !v.db.resize_queued)),
      stateOf: (v) =>
        `${v.branch.state} at ${v.branch.cluster_name}` +
        `${v.db?.resizing ? ", resizing" : ""}${v.db?.resize_queued ? ", resize queued" : ""}`,
    },
    s.poll,
  );
  return result.branch;
}

function outputsOf(b: BranchInputs, branch: ApiBranch, lifecycle: BranchLifecycle): BranchOutputs {
  return compact({
    serviceTokenId: b.serviceTokenId,
    serviceToken: b.serviceToken,
    organization: b.organization,
    database: b.database,
    name: branch.name,
    parentBranch: branch.parent_branch,
    region: branch.region.slug,
    clusterSize: branch.cluster_name,
    replicas: b.replicas,
    deletionProtected: branch.deletion_protected,
    branchId: branch.id,
    production: branch.production,
    state: branch.state,
    ready: branch.ready,
    htmlUrl: branch.html_url,
    lifecycle,
  });
}

async function converge(
  s: ProviderSettings,
  creds: Credentials,
  b: BranchInputs,
  olds: Props | undefined,
  lifecycle: BranchLifecycle,
): Promise<BranchOutputs> {
  let branch = await waitSettled(s, creds, b, undefined);
  if (branch.deletion_protected !== b.deletionProtected) {
    const res = await callApi<ApiBranch>(s.client, creds, {
      operationId: "update_branch",
      params: params(b),
      body: { deletion_protected: b.deletionProtected },
      resource: label(b),
    });
    if (res.body) branch = res.body;
  }
  const sizeChanged = b.clusterSize !== undefined && branch.cluster_name !== b.clusterSize;
  const oldReplicas = olds?.["replicas"];
  const replicasChanged =
    b.replicas !== undefined &&
    (typeof oldReplicas === "number"
      ? oldReplicas !== b.replicas
      : b.replicas > 0 !== branch.has_replicas);
  if (sizeChanged || replicasChanged) {
    await callApi(s.client, creds, {
      operationId: "update_branch_change_request",
      params: params(b),
      body: compact({
        cluster_size: sizeChanged ? b.clusterSize : undefined,
        replicas: replicasChanged ? b.replicas : undefined,
      }),
      resource: label(b),
    });
    branch = await waitSettled(s, creds, b, b.clusterSize ?? branch.cluster_name);
  }
  return outputsOf(b, branch, lifecycle);
}

/** Decides whether an existing branch of that name may be taken over. */
async function classifyExisting(
  s: ProviderSettings,
  creds: Credentials,
  b: BranchInputs,
  existing: ApiBranch,
): Promise<BranchLifecycle> {
  const db = await callApi<ApiDatabase>(s.client, creds, {
    operationId: "get_database",
    params: { organization: b.organization, database: b.database },
    resource: `database ${b.organization}/${b.database}`,
  });
  if (db.body?.default_branch === existing.name) return "database-default";
  const mismatches: string[] = [];
  if (b.parentBranch !== undefined && existing.parent_branch !== b.parentBranch) {
    mismatches.push(`its parent is ${existing.parent_branch ?? "none"}`);
  }
  if (b.region !== undefined && existing.region.slug !== b.region) {
    mismatches.push(`it is in region ${existing.region.slug}`);
  }
  if (mismatches.length > 0) {
    throw new Error(
      `PlanetScale ${label(b)} already exists but ${mismatches.join(" and ")}, so it was not` +
        ` created by this program. Pick another branch name or delete the existing branch.`,
    );
  }
  return "owned";
}

export const createBranchProvider = defineProvider(checkBranchInputs, diffBranch, (s) => ({
  async create(inputs) {
    const b = inputs as unknown as BranchInputs;
    const creds = credentialsFrom(inputs, `create ${label(b)}`);
    const id = `${b.organization}/${b.database}/${b.name}`;
    let lifecycle: BranchLifecycle = "owned";
    const existing = await getBranch(s, creds, b);
    if (existing) {
      lifecycle = await classifyExisting(s, creds, b, existing);
    } else {
      try {
        await callApi<ApiBranch>(s.client, creds, {
          operationId: "create_branch",
          params: { organization: b.organization, database: b.database },
          body: compact({
            name: b.name,
            parent_branch: b.parentBranch,
            region: b.region,
            cluster_size: b.clusterSize,
            deletion_protected: b.deletionProtected || undefined,
          }),
          resource: label(b),
        });
      } catch (e) {
        if (!isApiError(e, 409) && !isApiError(e, 422)) throw e;
        const raced = await getBranch(s, creds, b);
        if (!raced) throw e;
        lifecycle = await classifyExisting(s, creds, b, raced);
      }
    }
    try {
      return { id, outs: await converge(s, creds, b, undefined, lifecycle) };
    } catch (e) {
      throw resourceInitError(
        `PlanetScale ${label(b)} exists but is not finished: ${errorMessage(e)}`,
        id,
        omit({ ...b, lifecycle }, CREDENTIAL_KEYS),
      );
    }
  },

  async read(id: string, props?: Props) {
    const p = props ?? {};
    const [org, database, name] = id.split("/");
    const b = {
      ...(p as unknown as BranchInputs),
      organization: typeof p["organization"] === "string" ? p["organization"] : (org ?? ""),
      database: typeof p["database"] === "string" ? p["database"] : (database ?? ""),
      name: typeof p["name"] === "string" ? p["name"] : (name ?? ""),
    };
    const creds = credentialsFrom(p, `read ${label(b)}`);
    const branch = await getBranch(s, creds, b);
    if (!branch) return { id: "" };
    const lifecycle = p["lifecycle"] === "database-default" ? "database-default" : "owned";
    return { id, props: outputsOf(b, branch, lifecycle) };
  },

  async update(_id, olds, news) {
    const b = news as unknown as BranchInputs;
    const creds = credentialsFrom(news, `update ${label(b)}`);
    const lifecycle = olds["lifecycle"] === "database-default" ? "database-default" : "owned";
    if (!(await getBranch(s, creds, b))) {
      throw new Error(
        `PlanetScale ${label(b)} no longer exists (deleted outside Pulumi?). Run` +
          ` \`pulumi refresh\` to drop it from state, then \`pulumi up\` to create it again.`,
      );
    }
    return { outs: await converge(s, creds, b, olds, lifecycle) };
  },

  async delete(_id, props) {
    const b = props as unknown as BranchInputs;
    // The database's default branch goes away with the database; deleting it here would fail
    // (or, worse, succeed) while the Database resource still exists.
    if (props["lifecycle"] === "database-default") return;
    const creds = credentialsFrom(props, `delete ${label(b)}`);
    const branch = await getBranch(s, creds, b);
    if (!branch) return;
    if (branch.deletion_protected) {
      throw new Error(
        `PlanetScale ${label(b)} has deletion protection on, so it was not deleted. Set` +
          ` deletionProtected: false, run \`pulumi up\`, then delete again.`,
      );
    }
    await deleteIfPresent(s.client, creds, {
      operationId: "delete_branch",
      params: params(b),
      resource: label(b),
    });
  },
}));
