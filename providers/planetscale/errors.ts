// Error types and messages for the PlanetScale dynamic provider.
//
// This module is serialized into Pulumi state together with the provider (see
// docs/decisions/0002-planetscale-dynamic-provider.md), so it holds only functions, classes and
// plain data: no imports, no module-level objects with bound or native functions.

/** Where a call failed, used to build messages that say what to fix. */
export interface ErrorContext {
  operationId: string;
  method: string;
  /** Path with parameters filled in, relative to the API base URL. */
  path: string;
  /** Human name of the target, e.g. `database acme/ara-prod`. */
  resource: string;
  organization?: string;
  database?: string;
  /** Keys of the JSON body that was sent, used to name the invalid field of a 422. */
  bodyKeys?: string[];
  attempts?: number;
}

/** An HTTP error answered by the PlanetScale API (or a network failure, status 0). */
export interface PlanetScaleApiError extends Error {
  name: "PlanetScaleApiError";
  status: number;
  operationId: string;
  apiCode: string | undefined;
  field: string | undefined;
}

// Errors are built by factories, not `class … extends Error`: Pulumi's closure serializer
// rewrites a derived class constructor's `super(message)` as `Error.call(this, message)`, which
// drops the message, so the deploy-time host would report an empty error (caught by
// tests/database/serialization.test.ts).

export function planetScaleApiError(
  message: string,
  status: number,
  operationId: string,
  apiCode?: string,
  field?: string,
): PlanetScaleApiError {
  return Object.assign(new Error(message), {
    name: "PlanetScaleApiError" as const,
    status,
    operationId,
    apiCode,
    field,
  });
}

/**
 * Thrown by create when the PlanetScale resource exists but did not finish converging (not ready
 * in time, a settings call failed). The Pulumi dynamic-provider host turns an error carrying `id`
 * and `properties` into "created but failed to initialize": the resource is recorded in state and
 * the next `pulumi up` calls update, which resumes. `properties` must not contain secrets.
 */
export interface ResourceInitError extends Error {
  name: "ResourceInitError";
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

export function resourceInitError(
  message: string,
  id: string,
  properties: Record<string, unknown>,
): ResourceInitError {
  return Object.assign(new Error(message), {
    name: "ResourceInitError" as const,
    id,
    properties,
    reasons: [message],
  });
}

export function isApiError(e: unknown, status?: number): e is PlanetScaleApiError {
  if (typeof e !== "object" || e === null) return false;
  const candidate = e as { name?: unknown; status?: unknown };
  if (candidate.name !== "PlanetScaleApiError") return false;
  return status === undefined || candidate.status === status;
}

/** Replaces every occurrence of each secret with `[redacted]`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}

/**
 * The service-token accesses PlanetScale documents for each operation the provider calls
 * (from each operation's "Service Token Accesses" list in the OpenAPI spec; a test checks this
 * table against the vendored spec). The first entry is the one to grant; alternatives follow.
 */
export function requiredAccesses(operationId: string): string[] {
  switch (operationId) {
    case "create_database":
      return ["create_databases"];
    case "get_database":
      return ["read_database"];
    case "update_database_settings":
    case "update_branch":
    case "update_branch_change_request":
      return ["write_database"];
    case "delete_database":
      return ["delete_database"];
    case "get_branch":
      return ["read_branch"];
    case "create_branch":
      return ["create_branch"];
    case "delete_branch":
      return ["delete_branch"];
    case "get_role":
      return ["read_branch"];
    case "create_role":
    case "update_role":
      return ["create_production_branch_password", "create_branch_password"];
    case "delete_role":
      return ["delete_production_branch_password", "delete_branch_password"];
    case "list_backup_policies":
    case "get_backup_policy":
      return ["read_backups"];
    case "create_backup_policy":
    case "update_backup_policy":
    case "delete_backup_policy":
      return ["write_backups"];
    default:
      return [];
  }
}

interface ParsedBody {
  code?: string;
  message?: string;
  field?: string;
}

function humanize(key: string): string {
  return key.replace(/_/g, " ").toLowerCase();
}

/**
 * Reads PlanetScale's error bodies: `{code, message}`, the parameter-validation shape
 * `{errors: [{namespace, name, errors: [...]}]}`, or a Rails-style `{errors: {field: [...]}}`.
 */
function parseErrorBody(text: string, bodyKeys: readonly string[]): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() ? { message: text.trim() } : {};
  }
  if (typeof json !== "object" || json === null) return {};
  const body = json as Record<string, unknown>;
  const out: ParsedBody = {};
  if (typeof body["code"] === "string") out.code = body["code"];
  if (typeof body["message"] === "string") out.message = body["message"];
  const errors = body["errors"];
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as Record<string, unknown>;
    const name = typeof first["name"] === "string" ? first["name"] : undefined;
    const ns = typeof first["namespace"] === "string" ? first["namespace"] : undefined;
    if (name) out.field = ns ? `${ns}.${name}` : name;
    const details = first["errors"];
    if (Array.isArray(details)) out.message ??= details.map(String).join("; ");
    else if (typeof first["message"] === "string") out.message ??= first["message"];
  } else if (typeof errors === "object" && errors !== null) {
    const [field, details] = Object.entries(errors as Record<string, unknown>)[0] ?? [];
    if (field) {
      out.field = field;
      out.message ??= Array.isArray(details) ? details.map(String).join("; ") : String(details);
    }
  }
  if (!out.field && out.message) {
    // A plain message such as "Cluster size is not valid": match it to a key we sent.
    const lower = out.message.toLowerCase();
    const byLength = [...bodyKeys].sort((a, b) => b.length - a.length);
    out.field = byLength.find((k) => lower.includes(humanize(k)) || lower.includes(k));
  }
  return out;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Builds the error for a non-2xx answer. Never includes request headers or the request body. */
export function apiErrorFromResponse(
  ctx: ErrorContext,
  status: number,
  bodyText: string,
  secrets: readonly (string | undefined)[],
): PlanetScaleApiError {
  const parsed = parseErrorBody(bodyText, ctx.bodyKeys ?? []);
  const apiSays = parsed.message ? ` PlanetScale said: "${truncate(parsed.message, 300)}".` : "";
  const where = `${ctx.operationId} (${ctx.method} ${ctx.path}) on ${ctx.resource}`;
  const accesses = requiredAccesses(ctx.operationId);
  const accessList = accesses.map((a) => `\`${a}\``).join(" or ");
  const scope = ctx.database
    ? `database ${ctx.database}`
    : `organization ${ctx.organization ?? ""}`;
  const attempts = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : "";
  let message: string;
  switch (true) {
    case status === 401:
      message =
        `PlanetScale returned 401 Unauthorized for ${where}: the service token was not accepted.` +
        ` Check that ara:planetscaleServiceTokenId and ara:planetscaleServiceToken (or` +
        ` PLANETSCALE_SERVICE_TOKEN_ID and PLANETSCALE_SERVICE_TOKEN) hold the token's id and` +
        ` value, and that the token was not deleted or expired; create a new one under` +
        ` Organization settings > Service tokens if needed.${apiSays}`;
      break;
    case status === 403:
      message =
        `PlanetScale returned 403 Forbidden for ${where}: the service token lacks the` +
        ` ${accessList || "required"} access for ${scope}. Grant it under Organization` +
        ` settings > Service tokens > (your token) > Add access, or run` +
        ` \`pscale service-token add-access <token-id> ${accesses[0] ?? "<access>"}` +
        `${ctx.database ? ` --database ${ctx.database}` : ""} --org ${ctx.organization ?? "<org>"}\`,` +
        ` then re-run.${apiSays}`;
      break;
    case status === 404:
      message =
        `PlanetScale returned 404 Not Found for ${where}: it does not exist, or the service` +
        ` token cannot see it (PlanetScale also answers 404 when the token lacks read access,` +
        ` e.g. \`read_database\`/\`read_branch\`). Check the organization, database and branch` +
        ` names.${apiSays}`;
      break;
    case status === 409:
      message =
        `PlanetScale returned 409 Conflict for ${where}: the name is taken or another change` +
        ` is in progress. Wait for the running change to finish (or pick another name) and` +
        ` re-run.${apiSays}`;
      break;
    case status === 422:
      message =
        `PlanetScale rejected ${where} with 422 Unprocessable Entity` +
        `${parsed.field ? `: invalid field \`${parsed.field}\`` : ""}.${apiSays}` +
        ` Fix that input and re-run.`;
      break;
    case status === 429:
      message = `PlanetScale rate-limited ${where} (429)${attempts}. Wait a minute and re-run.${apiSays}`;
      break;
    case status >= 500:
      message =
        `PlanetScale returned ${status} for ${where}${attempts}: a server-side error, not a` +
        ` problem with your inputs. Re-run later; if it persists check` +
        ` https://www.planetscalestatus.com.${apiSays}`;
      break;
    default:
      message = `PlanetScale returned ${status} for ${where}.${apiSays}`;
  }
  return planetScaleApiError(
    redact(message, secrets),
    status,
    ctx.operationId,
    parsed.code,
    parsed.field,
  );
}

/** Builds the error for a request that got no HTTP answer (DNS, TLS, timeout). */
export function networkError(
  ctx: ErrorContext,
  cause: unknown,
  secrets: readonly (string | undefined)[],
): PlanetScaleApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const attempts = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : "";
  const message =
    `Could not reach the PlanetScale API for ${ctx.operationId} on ${ctx.resource}${attempts}:` +
    ` ${reason}. Check network access to api.planetscale.com and re-run.`;
  return planetScaleApiError(redact(message, secrets), 0, ctx.operationId);
}
