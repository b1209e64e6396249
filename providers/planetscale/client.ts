// Minimal fetch-based client for the PlanetScale REST API.
//
// Serialized into Pulumi state with the provider: only functions and plain data at module level,
// and only globals (fetch, setTimeout, AbortSignal, process) at call time.
import { apiErrorFromResponse, isApiError, networkError, type ErrorContext } from "./errors";

export const DEFAULT_BASE_URL = "https://api.planetscale.com/v1";

/** A service token: sent as `Authorization: <id>:<token>` (no scheme word). */
export interface Credentials {
  tokenId: string;
  token: string;
}

export interface ClientSettings {
  baseUrl: string;
  /** Total tries for retryable failures (>= 1). */
  maxAttempts: number;
  /** First retry delay; doubles on each retry. */
  retryBaseMs: number;
  requestTimeoutMs: number;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface Route {
  method: HttpMethod;
  path: string;
}

/**
 * Method and path template of every operation the provider calls, keyed by the spec's
 * operationId. A contract test checks each against the vendored OpenAPI spec.
 */
export function routeOf(operationId: string): Route {
  const db = "/organizations/{organization}/databases/{database}";
  const branch = `${db}/branches/{branch}`;
  switch (operationId) {
    case "create_database":
      return { method: "POST", path: "/organizations/{organization}/databases" };
    case "get_database":
      return { method: "GET", path: db };
    case "update_database_settings":
      return { method: "PATCH", path: db };
    case "delete_database":
      return { method: "DELETE", path: db };
    case "create_branch":
      return { method: "POST", path: `${db}/branches` };
    case "get_branch":
      return { method: "GET", path: branch };
    case "update_branch":
      return { method: "PATCH", path: branch };
    case "delete_branch":
      return { method: "DELETE", path: branch };
    case "update_branch_change_request":
      return { method: "PATCH", path: `${branch}/changes` };
    case "create_role":
      return { method: "POST", path: `${branch}/roles` };
    case "get_role":
      return { method: "GET", path: `${branch}/roles/{id}` };
    case "update_role":
      return { method: "PATCH", path: `${branch}/roles/{id}` };
    case "delete_role":
      return { method: "DELETE", path: `${branch}/roles/{id}` };
    case "list_backup_policies":
      return { method: "GET", path: `${db}/backup-policies` };
    case "create_backup_policy":
      return { method: "POST", path: `${db}/backup-policies` };
    case "get_backup_policy":
      return { method: "GET", path: `${db}/backup-policies/{id}` };
    case "update_backup_policy":
      return { method: "PATCH", path: `${db}/backup-policies/{id}` };
    case "delete_backup_policy":
      return { method: "DELETE", path: `${db}/backup-policies/{id}` };
    default:
      throw new Error(`Unknown PlanetScale operation ${operationId}`);
  }
}

export interface ApiCall {
  operationId: string;
  params: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Record<string, unknown>;
  /** Human name of the target for error messages, e.g. `database acme/ara-prod`. */
  resource: string;
}

export interface ApiResult<T> {
  status: number;
  body: T | undefined;
}

function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") {
      throw new Error(`Missing path parameter ${name} for ${template}`);
    }
    return encodeURIComponent(value);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * 429 is always safe to retry (the request was not processed). 5xx and network errors are
 * retried only for methods that are safe to repeat: a POST that timed out may have created the
 * resource, and the create paths handle that by adopting on the next run instead.
 */
function retryable(method: HttpMethod, status: number): boolean {
  if (status === 429) return true;
  if (method === "POST") return false;
  return status === 0 || status >= 500;
}

/**
 * Sends one API call with bounded retries. Resolves for 2xx; throws PlanetScaleApiError
 * otherwise. Never logs; error messages never contain the Authorization header or bodies sent.
 */
export async function callApi<T>(
  settings: ClientSettings,
  credentials: Credentials,
  call: ApiCall,
): Promise<ApiResult<T>> {
  const route = routeOf(call.operationId);
  const path = fillPath(route.path, call.params);
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(call.query ?? {})) {
    if (v !== undefined) search.set(k, String(v));
  }
  const qs = search.toString();
  const url = `${settings.baseUrl.replace(/\/+$/, "")}${path}${qs ? `?${qs}` : ""}`;
  const secrets = [credentials.token, credentials.tokenId];
  const ctx: ErrorContext = {
    operationId: call.operationId,
    method: route.method,
    path,
    resource: call.resource,
    organization: call.params["organization"],
    database: call.params["database"],
    bodyKeys: call.body ? Object.keys(call.body) : [],
  };
  const headers: Record<string, string> = {
    Authorization: `${credentials.tokenId}:${credentials.token}`,
    Accept: "application/json",
    "User-Agent": "ara-infra-planetscale-dynamic-provider/1",
  };
  if (call.body !== undefined) headers["Content-Type"] = "application/json";

  const attempts = Math.max(1, settings.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let text = "";
    let failure: unknown;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(url, {
        method: route.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(settings.requestTimeoutMs),
      });
      status = response.status;
      text = await response.text();
      const retryAfter = Number(response.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
    } catch (e) {
      failure = e;
    }
    if (failure === undefined && status >= 200 && status < 300) {
      if (status === 204 || text.trim() === "") return { status, body: undefined };
      try {
        return { status, body: JSON.parse(text) as T };
      } catch {
        throw apiErrorFromResponse({ ...ctx, attempts: attempt }, 502, "", secrets);
      }
    }
    if (attempt < attempts && retryable(route.method, status)) {
      const backoff = settings.retryBaseMs * 2 ** (attempt - 1);
      await sleep(Math.min(retryAfterMs ?? backoff, 30_000));
      continue;
    }
    if (failure !== undefined) throw networkError({ ...ctx, attempts: attempt }, failure, secrets);
    throw apiErrorFromResponse({ ...ctx, attempts: attempt }, status, text, secrets);
  }
}

/**
 * Reads every page of a paginated list operation (`{data, next_page}`), bounded so a
 * misbehaving API cannot loop forever.
 */
export async function listAll<T>(
  settings: ClientSettings,
  credentials: Credentials,
  call: ApiCall,
  maxPages = 50,
): Promise<T[]> {
  const items: T[] = [];
  let page: number | null = 1;
  for (let i = 0; page !== null && i < maxPages; i++) {
    const result: ApiResult<{ data?: T[]; next_page?: number | null }> = await callApi(
      settings,
      credentials,
      { ...call, query: { ...call.query, page, per_page: 100 } },
    );
    items.push(...(result.body?.data ?? []));
    page = result.body?.next_page ?? null;
  }
  return items;
}

/** Returns the resource, or undefined when the API answers 404. */
export async function getOrUndefined<T>(
  settings: ClientSettings,
  credentials: Credentials,
  call: ApiCall,
): Promise<T | undefined> {
  try {
    return (await callApi<T>(settings, credentials, call)).body;
  } catch (e) {
    if (typeof e === "object" && e !== null && (e as { status?: number }).status === 404) {
      return undefined;
    }
    throw e;
  }
}

/** Deletes the resource; a 404 means it is already gone, which is not an error. */
export async function deleteIfPresent(
  settings: ClientSettings,
  credentials: Credentials,
  call: ApiCall,
): Promise<void> {
  try {
    await callApi(settings, credentials, call);
  } catch (e) {
    if (!isApiError(e, 404)) throw e;
  }
}
