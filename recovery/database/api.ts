// The PlanetScale calls the restore drill makes. A route table of its own, not the provider's:
// the provider's code is stored in Pulumi state (decision 0002), and the drill's operations
// (list_backups, restores through create_branch) have no business there. Every route is checked
// against the vendored spec by tests/database/spec-contract.test.ts.

export interface PlanetScaleApi {
  baseUrl: string;
  tokenId: string;
  token: string;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

export function drillRouteOf(operationId: string): { method: string; path: string } {
  const db = "/organizations/{organization}/databases/{database}";
  const branch = `${db}/branches/{branch}`;
  switch (operationId) {
    case "get_branch":
      return { method: "GET", path: branch };
    case "create_branch":
      return { method: "POST", path: `${db}/branches` };
    case "delete_branch":
      return { method: "DELETE", path: branch };
    case "list_backups":
      return { method: "GET", path: `${branch}/backups` };
    case "create_role":
      return { method: "POST", path: `${branch}/roles` };
    case "get_role":
      return { method: "GET", path: `${branch}/roles/{id}` };
    case "delete_role":
      return { method: "DELETE", path: `${branch}/roles/{id}` };
    default:
      throw new Error(`the drill does not call PlanetScale operation ${operationId}`);
  }
}

export interface DrillApiError extends Error {
  status: number;
  operationId: string;
}

export function isDrillApiError(e: unknown, status?: number): e is DrillApiError {
  return (
    e instanceof Error &&
    typeof (e as DrillApiError).status === "number" &&
    (status === undefined || (e as DrillApiError).status === status)
  );
}

/**
 * The service-token accesses the drill needs, one per operation it calls (the spec lists the
 * alternatives per operation; the contract test checks each is one of them).
 */
export const DRILL_ACCESSES: Record<string, string> = {
  get_branch: "read_branch",
  list_backups: "read_backups",
  create_branch: "restore_production_branch_backup",
  delete_branch: "delete_branch",
  create_role: "create_branch_password",
  get_role: "read_branch",
  delete_role: "delete_branch_password",
};

const FIXES: Record<number, string> = {
  401: "the service token was refused: export PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN for this organization",
  403: `the service token lacks an access: grant ${[...new Set(Object.values(DRILL_ACCESSES))].join(", ")} (docs/disaster-recovery.md)`,
  404: "check ara:planetscaleOrganization in Pulumi.<stack>.yaml and that the database exists",
  422: "PlanetScale refused the request; its message above names the field",
};

/** One call; resolves the parsed body of a 2xx, throws an error naming the call otherwise. */
export async function call<T = any>(
  api: PlanetScaleApi,
  operationId: string,
  params: Record<string, string>,
  opts: { query?: Record<string, string | number>; body?: Record<string, unknown> } = {},
): Promise<T> {
  const route = drillRouteOf(operationId);
  const path = route.path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (!v) throw new Error(`missing path parameter ${name} for ${operationId}`);
    return encodeURIComponent(v);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.query ?? {})) search.set(k, String(v));
  const qs = search.toString();
  const url = `${api.baseUrl.replace(/\/+$/, "")}${path}${qs ? `?${qs}` : ""}`;
  const headers: Record<string, string> = {
    Authorization: `${api.tokenId}:${api.token}`,
    Accept: "application/json",
    "User-Agent": "ara-infra-recovery-drill/1",
  };
  if (opts.body) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method: route.method,
      headers,
      body: opts.body ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(api.requestTimeoutMs ?? 30_000),
    });
  } catch (e) {
    throw Object.assign(
      new Error(
        `PlanetScale ${operationId} (${route.method} ${path}) did not answer: ${(e as Error).message}. Check PLANETSCALE_API_URL and the network.`,
      ),
      { status: 0, operationId },
    );
  }
  const text = await res.text();
  if (res.ok) return (text.trim() === "" ? undefined : JSON.parse(text)) as T;
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  // The token must never reach a log, even if an error body echoes it.
  message = message.split(api.token).join("[token]").split(api.tokenId).join("[token-id]");
  const fix =
    FIXES[res.status] ?? "retry later; PlanetScale's status page says whether it is degraded";
  throw Object.assign(
    new Error(
      `PlanetScale ${operationId} (${route.method} ${path}) answered ${res.status}: ${message}. Fix: ${fix}.`,
    ),
    { status: res.status, operationId },
  );
}
